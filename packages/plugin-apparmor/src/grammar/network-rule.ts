import { type Cursor, describeToken } from './cursor.js';
import { type Prefix, refuseOwner } from './qualifiers.js';
import type { NetworkRule, Position } from './tree.js';
import { NETWORK_DOMAINS, NETWORK_PROTOCOLS, NETWORK_TYPES } from './vocabulary.js';

/** `network [DOMAIN] [TYPE] [PROTOCOL]`, each from its list, in that order. */
export function readNetworkRule(cursor: Cursor, prefix: Prefix, at: Position): NetworkRule {
  refuseOwner(cursor, prefix, 'network');
  cursor.next();
  const rule: NetworkRule = { kind: 'network', ...at, audit: prefix.audit, deny: prefix.deny };
  const take = (list: ReadonlySet<string>): string | undefined => {
    const token = cursor.peek();
    if (token?.kind !== 'word' || !list.has(token.text)) return undefined;
    cursor.next();
    return token.text;
  };
  const domain = take(NETWORK_DOMAINS);
  const type = take(NETWORK_TYPES);
  const protocol = take(NETWORK_PROTOCOLS);
  const extra = cursor.peek();
  if (extra) {
    cursor.fail(`${describeToken(extra)} is not expected here: network rules take a domain (inet, inet6, unix, netlink, …), a type (stream, dgram, …) and a protocol (tcp, udp, icmp), each optional, in that order`, extra);
  }
  if (domain) rule.domain = domain;
  if (type) rule.type = type;
  if (protocol) rule.protocol = protocol;
  return rule;
}

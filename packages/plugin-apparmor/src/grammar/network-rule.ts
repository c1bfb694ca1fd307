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
  const protocolToken = type === undefined ? cursor.peek() : undefined;
  const protocol = type === undefined ? take(NETWORK_PROTOCOLS) : undefined;
  const extra = cursor.peek();
  if (extra) {
    cursor.fail(`${describeToken(extra)} is not expected here: network rules take a domain (inet, inet6, unix, netlink, …) and then a type (stream, dgram, …) or a protocol (tcp, udp, icmp), each optional`, extra);
  }
  // apparmor_parser knows tcp and udp for inet and inet6, icmp for inet only.
  if (protocol && domain && !(domain === 'inet' || (domain === 'inet6' && protocol !== 'icmp'))) cursor.fail(`the protocol ${protocol} does not go with the domain ${domain}`, protocolToken);
  if (domain) rule.domain = domain;
  if (type) rule.type = type;
  if (protocol) rule.protocol = protocol;
  return rule;
}

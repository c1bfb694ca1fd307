import { ADDRESS_FAMILY_MAX, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, SOCKET_TYPE_COUNT } from '../compile/socket-constants.js';
import type { BpfSocketRule } from '../compile/profile.js';
import { AUDIT_MODE, DENY_MODE } from '../compile/rule-mode.js';
import { KEY_SOCKET, SOCKET_ANY_FAMILY, SOCKET_CLASSES, SOCKET_RULES } from './layout.js';
import { type MapEntry, newValue, ruleKey } from './map-entry.js';

/** The protocol numbers rules can name, by class; class 0 is every other protocol. */
export const PROTOCOL_CLASSES = [undefined, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6] as const;

/** The class of an (effective) protocol number. */
export function protocolClass(protocol: number): number {
  const index = PROTOCOL_CLASSES.indexOf(protocol as never);
  return index > 0 ? index : 0;
}

/** Whether a rule's protocol mask covers a class: a zero mask covers all, a set mask only the named protocols. */
function coversClass(rule: BpfSocketRule, protocolClassIndex: number): boolean {
  if (rule.protocols === 0n) return true;
  const protocol = PROTOCOL_CLASSES[protocolClassIndex];
  return protocol !== undefined && (rule.protocols & (1n << BigInt(protocol))) !== 0n;
}

/**
 * socket() rules precomputed per family: for each protocol class, a mask of the socket types denied and audited.
 * A call costs one or two lookups (its family, and rules of any family) whatever the number of rules.
 */
export function encodeSocketTable(rules: readonly BpfSocketRule[]): MapEntry[] {
  const tables = new Map<number, { deny: number[]; audit: number[] }>();
  const tableFor = (family: number) => {
    let table = tables.get(family);
    if (!table) {
      table = { deny: new Array<number>(SOCKET_CLASSES).fill(0), audit: new Array<number>(SOCKET_CLASSES).fill(0) };
      tables.set(family, table);
    }
    return table;
  };
  for (const rule of rules) {
    const families =
      rule.domains === 0n ? [SOCKET_ANY_FAMILY] : [...Array(ADDRESS_FAMILY_MAX).keys()].filter((f) => (rule.domains & (1n << BigInt(f))) !== 0n);
    const typeMask =
      rule.types === 0n ? (1 << SOCKET_TYPE_COUNT) - 1 : [...Array(SOCKET_TYPE_COUNT).keys()].reduce((mask, t) => ((rule.types & (1n << BigInt(t))) !== 0n ? mask | (1 << t) : mask), 0);
    for (const family of families) {
      const table = tableFor(family);
      for (let klass = 0; klass < SOCKET_CLASSES; klass++) {
        if (!coversClass(rule, klass)) continue;
        if (rule.mode & DENY_MODE) table.deny[klass]! |= typeMask;
        if (rule.mode & AUDIT_MODE) table.audit[klass]! |= typeMask;
      }
    }
  }
  return [...tables.entries()].map(([family, table]) => {
    const value = newValue();
    for (let klass = 0; klass < SOCKET_CLASSES; klass++) {
      value.writeUInt16LE(table.deny[klass]!, SOCKET_RULES.deny + 2 * klass);
      value.writeUInt16LE(table.audit[klass]!, SOCKET_RULES.audit + 2 * klass);
    }
    return { key: ruleKey({ kind: KEY_SOCKET, length: family }), value };
  });
}

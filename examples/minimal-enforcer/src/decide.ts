import { maskBytes, parseCidr, parseIp } from '@armorkit/core/address';
import type { EgressAllowList, EgressEntry } from './allow-list.js';

/** What happens to one outgoing connection, and which entry decided it (none: the default action). */
export interface EgressDecision {
  allowed: boolean;
  audited: boolean;
  entry?: number;
}

/** Decides a connection to `address`:`port` by the list: the first entry that matches, else the default action. */
export function decide(list: EgressAllowList, address: string, port: number): EgressDecision {
  const destination = parseIp(address);
  if ('problem' in destination) return { allowed: false, audited: true };
  const index = list.entries.findIndex((entry) => matches(entry, destination.bytes, port));
  const entry = list.entries[index];
  const verdict = entry?.verdict ?? list.defaultAction;
  // Report-only profiles (allowViolations) let a denied connection through and audit it.
  const allowed = verdict === 'allow' || !list.enforce;
  const audited = (entry?.audit ?? false) || (verdict === 'deny' && !list.enforce);
  return index < 0 ? { allowed, audited } : { allowed, audited, entry: index };
}

function matches(entry: EgressEntry, address: Uint8Array, port: number): boolean {
  if (entry.ports.length > 0 && !entry.ports.some((range) => port >= range.from && port <= range.to)) return false;
  if (entry.network === '*') return true;
  const network = parseCidr(entry.network);
  if ('problem' in network) return false;
  // Both are 16 bytes (IPv4 v4-mapped), so one mask compares either family; the prefix counts from the 16-byte form.
  const prefix = network.prefixLength + (128 - network.address.bitLength);
  const masked = maskBytes(address, prefix);
  return masked.every((byte, index) => byte === network.network[index]);
}

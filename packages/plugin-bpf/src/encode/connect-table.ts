import { addressBytes, networkBytes } from '../compile/addresses.js';
import type { BpfConnectRule } from '../compile/profile.js';
import { AUDIT_MODE, DENY_MODE } from '../compile/rule-mode.js';
import {
  CONNECT_ANY,
  CONNECT_CIDR,
  CONNECT_EXACT,
  CONNECT_HAS_ANY4,
  CONNECT_HAS_ANY6,
  CONNECT_HAS_EXACT4,
  CONNECT_HAS_EXACT6,
  CONNECT_HAS_POD4,
  CONNECT_HAS_POD6,
  CONNECT_POD,
  CONNECT_RULE,
  KEY_CONNECT,
  MAX_SLOTS,
  PORTS_ANY,
  PORTS_LIST,
  PORTS_ONE,
  PORTS_RANGE,
} from './layout.js';
import { type MapEntry, newValue, ruleKey } from './map-entry.js';

export interface ConnectSummary {
  flags: number;
  cidr4Lengths: bigint;
  /** Bits 0..128. */
  cidr6Lengths: bigint;
}

interface Filed {
  table: number;
  family: 4 | 6;
  length: number;
  address: Uint8Array;
  rule: BpfConnectRule;
}

const zero = (family: 4 | 6) => new Uint8Array(family === 4 ? 4 : 16);

/** Where a rule is filed: one key per family it covers. */
function filings(rule: BpfConnectRule): Omit<Filed, 'rule'>[] {
  const address = rule.address;
  switch (address.kind) {
    case 'any':
      return ([4, 6] as const).map((family) => ({ table: CONNECT_ANY, family, length: 0, address: zero(family) }));
    case 'pod-self':
      return ([4, 6] as const).map((family) => ({ table: CONNECT_POD, family, length: 0, address: zero(family) }));
    case 'unspecified':
      return ([4, 6] as const).map((family) => ({ table: CONNECT_EXACT, family, length: 0, address: zero(family) }));
    case 'ip': {
      const bytes = addressBytes(address.ip)!;
      return [{ table: CONNECT_EXACT, family: bytes.family, length: 0, address: bytes.bytes }];
    }
    case 'cidr': {
      const bytes = addressBytes(address.network)!;
      return [{ table: CONNECT_CIDR, family: bytes.family, length: address.prefixLength, address: networkBytes(bytes.bytes, address.prefixLength) }];
    }
  }
}

/**
 * connect() rules filed by address: exact addresses and CIDR networks (one lookup per prefix length in use),
 * any address, the pod's own addresses. Rules on the same key are chained; each checks its ports.
 */
export function encodeConnectTable(rules: readonly BpfConnectRule[]): { entries: MapEntry[]; summary: ConnectSummary } | { problem: string } {
  const summary: ConnectSummary = { flags: 0, cidr4Lengths: 0n, cidr6Lengths: 0n };
  const byKey = new Map<string, Filed[]>();
  for (const rule of rules) {
    for (const filing of filings(rule)) {
      const id = `${filing.table}/${filing.family}/${filing.length}/${Buffer.from(filing.address).toString('hex')}`;
      const list = byKey.get(id) ?? [];
      byKey.set(id, list);
      list.push({ ...filing, rule });
      const v4 = filing.family === 4;
      if (filing.table === CONNECT_EXACT) summary.flags |= v4 ? CONNECT_HAS_EXACT4 : CONNECT_HAS_EXACT6;
      else if (filing.table === CONNECT_ANY) summary.flags |= v4 ? CONNECT_HAS_ANY4 : CONNECT_HAS_ANY6;
      else if (filing.table === CONNECT_POD) summary.flags |= v4 ? CONNECT_HAS_POD4 : CONNECT_HAS_POD6;
      else if (v4) summary.cidr4Lengths |= 1n << BigInt(filing.length);
      else summary.cidr6Lengths |= 1n << BigInt(filing.length);
    }
  }
  const entries: MapEntry[] = [];
  for (const list of byKey.values()) {
    if (list.length > MAX_SLOTS) return { problem: `${list.length} connect rules share one address; at most ${MAX_SLOTS} can` };
    list.forEach((filed, slot) => {
      entries.push({
        key: ruleKey({ kind: KEY_CONNECT, table: filed.table, anchor: filed.family, slot, length: filed.length, address: filed.address }),
        value: connectValue(filed.rule, slot < list.length - 1),
      });
    });
  }
  return { entries, summary };
}

function connectValue(rule: BpfConnectRule, more: boolean): Buffer {
  const value = newValue();
  value.writeUInt32LE(rule.mode & DENY_MODE ? 1 : 0, CONNECT_RULE.deny);
  value.writeUInt32LE(rule.mode & AUDIT_MODE ? 1 : 0, CONNECT_RULE.audit);
  value.writeUInt8(more ? 1 : 0, CONNECT_RULE.more);
  const ports = rule.ports;
  switch (ports.kind) {
    case 'any':
      value.writeUInt8(PORTS_ANY, CONNECT_RULE.portKind);
      break;
    case 'port':
      value.writeUInt8(PORTS_ONE, CONNECT_RULE.portKind);
      value.writeUInt16LE(ports.port, CONNECT_RULE.port);
      break;
    case 'range':
      value.writeUInt8(PORTS_RANGE, CONNECT_RULE.portKind);
      value.writeUInt16LE(ports.port, CONNECT_RULE.port);
      value.writeUInt16LE(ports.endPort, CONNECT_RULE.endPort);
      break;
    case 'list':
      value.writeUInt8(PORTS_LIST, CONNECT_RULE.portKind);
      value.writeUInt8(ports.ports.length, CONNECT_RULE.portCount);
      ports.ports.forEach((port, index) => value.writeUInt16LE(port, CONNECT_RULE.ports + 2 * index));
      break;
  }
  return value;
}

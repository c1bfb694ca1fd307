import type { BpfProfile, BpfSocketRule, BpfConnectRule } from '../compile/profile.js';
import { AUDIT_MODE, DENY_MODE } from '../compile/rule-mode.js';
import { encodeConnectTable } from './connect-table.js';
import {
  HEADER,
  KEY_HEADER,
  KEY_NAME,
  PATH_TABLE,
  PATH_TABLES,
  PROFILE_COMPLAIN,
  PROFILE_HAS_CONNECT,
  PROFILE_HAS_SOCKET,
  PROFILE_NAME_BYTES,
  TABLE_EXEC,
  TABLE_FILE,
  TABLE_MOUNT,
} from './layout.js';
import { type MapEntry, newValue, ruleKey, sortEntries, writeText } from './map-entry.js';
import { encodePathTable, type PathRuleAction, type PathTableSummary } from './path-index.js';
import type { PathPattern } from '../compile/path-pattern.js';
import { encodeSocketTable } from './socket-table.js';

const bits = (mode: number, mask: number) => ({ deny: mode & DENY_MODE ? mask : 0, audit: mode & AUDIT_MODE ? mask : 0 });

/** Rules with the same pattern act as one: their permission masks are merged. */
function mergeByPattern(rules: readonly { pattern: PathPattern; action: PathRuleAction }[]): { pattern: PathPattern; action: PathRuleAction }[] {
  const merged = new Map<string, { pattern: PathPattern; action: PathRuleAction }>();
  for (const rule of rules) {
    const key = `${rule.pattern.kind}:${rule.pattern.text}`;
    const existing = merged.get(key);
    if (existing) {
      existing.action.deny |= rule.action.deny;
      existing.action.audit |= rule.action.audit;
    } else {
      merged.set(key, { pattern: rule.pattern, action: { ...rule.action } });
    }
  }
  return [...merged.values()];
}

/**
 * A compiled profile → the entries of its inner map: the header (mode, capabilities, ptrace, what each table
 * holds), the path tables for file, exec and mount rules, the socket table and the connect table.
 * Deterministic: entries are in key order.
 */
export function encodeProfile(profile: BpfProfile): { entries: MapEntry[] } | { problem: string } {
  const header = newValue();
  let flags = profile.profileMode === 'complain' ? PROFILE_COMPLAIN : 0;
  const entries: MapEntry[] = [];

  let capabilityDeny = 0n;
  let capabilityAudit = 0n;
  for (const rule of profile.capabilities) {
    if (rule.mode & DENY_MODE) capabilityDeny |= rule.capabilities;
    if (rule.mode & AUDIT_MODE) capabilityAudit |= rule.capabilities;
  }
  header.writeBigUInt64LE(capabilityDeny, HEADER.capabilityDeny);
  header.writeBigUInt64LE(capabilityAudit, HEADER.capabilityAudit);

  const ptrace = { denyOutside: 0, denyEverywhere: 0, auditOutside: 0, auditEverywhere: 0 };
  for (const rule of profile.ptrace) {
    const { deny, audit } = bits(rule.mode, rule.permissions);
    if (rule.strict) {
      ptrace.denyEverywhere |= deny;
      ptrace.auditEverywhere |= audit;
    } else {
      ptrace.denyOutside |= deny;
      ptrace.auditOutside |= audit;
    }
  }
  header.writeUInt32LE(ptrace.denyOutside, HEADER.ptraceDenyOutside);
  header.writeUInt32LE(ptrace.denyEverywhere, HEADER.ptraceDenyEverywhere);
  header.writeUInt32LE(ptrace.auditOutside, HEADER.ptraceAuditOutside);
  header.writeUInt32LE(ptrace.auditEverywhere, HEADER.ptraceAuditEverywhere);

  const tables: [number, { pattern: PathPattern; action: PathRuleAction }[]][] = [
    [TABLE_FILE, mergeByPattern(profile.files.map((rule) => ({ pattern: rule.pattern, action: bits(rule.mode, rule.permissions) })))],
    [TABLE_EXEC, mergeByPattern(profile.processes.map((rule) => ({ pattern: rule.pattern, action: bits(rule.mode, 1) })))],
    [
      TABLE_MOUNT,
      profile.mounts.map((rule) => ({
        pattern: rule.pattern,
        action: { ...bits(rule.mode, 1), mount: { mountFlags: rule.mountFlags, reverseMountFlags: rule.reverseMountFlags, fstype: rule.fstype } },
      })),
    ],
  ];
  for (const [table, rules] of tables) {
    const encoded = encodePathTable(table, rules);
    if ('problem' in encoded) return encoded;
    entries.push(...encoded.entries);
    writePathSummary(header, table, encoded.summary);
  }

  const sockets = profile.networks.filter((rule): rule is BpfSocketRule => rule.kind === 'socket');
  if (sockets.length > 0) {
    flags |= PROFILE_HAS_SOCKET;
    entries.push(...encodeSocketTable(sockets));
  }
  const connects = profile.networks.filter((rule): rule is BpfConnectRule => rule.kind === 'connect');
  if (connects.length > 0) {
    flags |= PROFILE_HAS_CONNECT;
    const encoded = encodeConnectTable(connects);
    if ('problem' in encoded) return encoded;
    entries.push(...encoded.entries);
    header.writeBigUInt64LE(encoded.summary.cidr4Lengths, HEADER.cidr4Lengths);
    for (let word = 0; word < 3; word++) {
      header.writeBigUInt64LE((encoded.summary.cidr6Lengths >> BigInt(64 * word)) & 0xffffffffffffffffn, HEADER.cidr6Lengths + 8 * word);
    }
    header.writeUInt32LE(encoded.summary.flags, HEADER.connectFlags);
  }

  header.writeUInt32LE(flags, HEADER.flags);
  entries.push({ key: ruleKey({ kind: KEY_HEADER }), value: header });
  const name = newValue();
  writeText(name, 0, PROFILE_NAME_BYTES, truncateName(profile.profileName));
  entries.push({ key: ruleKey({ kind: KEY_NAME }), value: name });
  return { entries: sortEntries(entries) };
}

function writePathSummary(header: Buffer, table: number, summary: PathTableSummary): void {
  if (table >= PATH_TABLES) throw new RangeError(`path table ${table}`);
  const offset = HEADER.paths + table * HEADER.pathTableSize;
  header.writeBigUInt64LE(summary.prefixFree, offset + PATH_TABLE.prefixFree);
  header.writeBigUInt64LE(summary.prefixSlash, offset + PATH_TABLE.prefixSlash);
  header.writeBigUInt64LE(summary.suffixFree, offset + PATH_TABLE.suffixFree);
  header.writeBigUInt64LE(summary.suffixSlash, offset + PATH_TABLE.suffixSlash);
  header.writeBigUInt64LE(summary.basePrefixLengths, offset + PATH_TABLE.basePrefixLengths);
  header.writeUInt32LE(summary.flags, offset + PATH_TABLE.flags);
  header.writeUInt8(summary.maxPrefix, offset + PATH_TABLE.maxPrefix);
  header.writeUInt8(summary.maxSuffix, offset + PATH_TABLE.maxSuffix);
  header.writeUInt8(summary.maxBasePrefix, offset + PATH_TABLE.maxBasePrefix);
}

/** Profile names are at most 63 bytes in vArmor; a longer one is cut at a character boundary for events. */
function truncateName(name: string): string {
  let text = name;
  while (Buffer.byteLength(text, 'utf8') >= PROFILE_NAME_BYTES) text = text.slice(0, -1);
  return text;
}

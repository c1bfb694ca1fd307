import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_FIXED_SIZE } from '../src/audit/event-record.js';
import * as layout from '../src/encode/layout.js';
import { BPF_SOURCE_DIRECTORY } from '../src/loader/bpf-object.js';

const header = readFileSync(join(BPF_SOURCE_DIRECTORY, 'layout.h'), 'utf8');
const defines = new Map(
  [...header.matchAll(/^#define (\w+) (0x[0-9a-f]+|\d+)$/gm)].map((match) => [match[1]!, Number(match[2]!)] as const),
);

/** Offsets of struct fields as a C compiler lays them out, from a program that prints offsetof(). */
function cOffsets(fields: Record<string, string[]>): Record<string, number> {
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-layout-'));
  const lines = Object.entries(fields).flatMap(([struct, names]) => [
    `printf("${struct}=%zu\\n", sizeof(struct ${struct}));`,
    ...names.map((name) => `printf("${struct}.${name}=%zu\\n", offsetof(struct ${struct}, ${name}));`),
  ]);
  const source = `#include <stdio.h>\n#include <stddef.h>\n#include <linux/types.h>\n#include "${join(BPF_SOURCE_DIRECTORY, 'layout.h')}"\nint main(void) {\n${lines.join('\n')}\nreturn 0;\n}\n`;
  writeFileSync(join(directory, 'offsets.c'), source);
  execFileSync('cc', ['-o', join(directory, 'offsets'), join(directory, 'offsets.c')]);
  const output = execFileSync(join(directory, 'offsets'), { encoding: 'utf8' });
  return Object.fromEntries(output.trim().split('\n').map((line) => [line.split('=')[0]!, Number(line.split('=')[1])]));
}

describe('bpf/layout.h and src/encode/layout.ts agree', () => {
  it('every constant both define has the same value', () => {
    const shared = Object.entries(layout).flatMap(([name, value]): [string, number][] => (typeof value === 'number' && defines.has(name) ? [[name, value]] : []));
    expect(shared.length).toBeGreaterThan(40);
    for (const [name, value] of shared) expect(defines.get(name), name).toBe(value);
    expect(defines.get('EVENT_FIXED_SIZE')).toBe(EVENT_FIXED_SIZE);
  });

  it('struct offsets', () => {
    const offsets = cOffsets({
      rule_key: ['kind', 'table', 'anchor', 'slot', 'length', 'hash'],
      profile_header: [
        'flags', 'capability_deny', 'capability_audit', 'ptrace_deny_outside', 'ptrace_deny_everywhere', 'ptrace_audit_outside',
        'ptrace_audit_everywhere', 'paths', 'cidr4_lengths', 'cidr6_lengths', 'connect_flags',
      ],
      path_table: ['prefix_free', 'prefix_slash', 'suffix_free', 'suffix_slash', 'base_prefix_lengths', 'flags', 'max_prefix', 'max_suffix', 'max_base_prefix'],
      path_rule: ['deny', 'audit', 'scope', 'prefix_length', 'suffix_length', 'more', 'mount_flags', 'reverse_mount_flags', 'fstype', 'prefix', 'suffix'],
      connect_rule: ['deny', 'audit', 'port_kind', 'port_count', 'more', 'port', 'end_port', 'ports'],
      socket_rules: ['deny', 'audit'],
      event_head: ['action', 'type', 'mnt_ns', 'tgid', 'pid', 'uid', 'ktime', 'comm', 'a', 'b', 'c', 'd', 'address', 'fstype', 'path_length'],
    });
    expect(offsets.rule_key).toBe(layout.KEY_SIZE);
    for (const [field, offset] of Object.entries(layout.RULE_KEY)) expect(offsets[`rule_key.${field}`], field).toBe(offset);
    const headerFields: Record<string, string> = {
      flags: 'flags', capabilityDeny: 'capability_deny', capabilityAudit: 'capability_audit', ptraceDenyOutside: 'ptrace_deny_outside',
      ptraceDenyEverywhere: 'ptrace_deny_everywhere', ptraceAuditOutside: 'ptrace_audit_outside', ptraceAuditEverywhere: 'ptrace_audit_everywhere',
      paths: 'paths', cidr4Lengths: 'cidr4_lengths', cidr6Lengths: 'cidr6_lengths', connectFlags: 'connect_flags',
    };
    for (const [field, c] of Object.entries(headerFields)) expect(offsets[`profile_header.${c}`], field).toBe(layout.HEADER[field as keyof typeof layout.HEADER]);
    expect(offsets.path_table).toBe(layout.HEADER.pathTableSize);
    const tableFields: Record<string, string> = {
      prefixFree: 'prefix_free', prefixSlash: 'prefix_slash', suffixFree: 'suffix_free', suffixSlash: 'suffix_slash',
      basePrefixLengths: 'base_prefix_lengths', flags: 'flags', maxPrefix: 'max_prefix', maxSuffix: 'max_suffix', maxBasePrefix: 'max_base_prefix',
    };
    for (const [field, c] of Object.entries(tableFields)) expect(offsets[`path_table.${c}`], field).toBe(layout.PATH_TABLE[field as keyof typeof layout.PATH_TABLE]);
    expect(offsets.profile_header).toBeLessThanOrEqual(layout.VALUE_SIZE);
    const ruleFields: Record<string, string> = {
      deny: 'deny', audit: 'audit', scope: 'scope', prefixLength: 'prefix_length', suffixLength: 'suffix_length', more: 'more',
      mountFlags: 'mount_flags', reverseMountFlags: 'reverse_mount_flags', fstype: 'fstype', prefix: 'prefix', suffix: 'suffix',
    };
    for (const [field, c] of Object.entries(ruleFields)) expect(offsets[`path_rule.${c}`], field).toBe(layout.PATH_RULE[field as keyof typeof layout.PATH_RULE]);
    const connectFields: Record<string, string> = {
      deny: 'deny', audit: 'audit', portKind: 'port_kind', portCount: 'port_count', more: 'more', port: 'port', endPort: 'end_port', ports: 'ports',
    };
    for (const [field, c] of Object.entries(connectFields)) expect(offsets[`connect_rule.${c}`], field).toBe(layout.CONNECT_RULE[field as keyof typeof layout.CONNECT_RULE]);
    expect(offsets['socket_rules.audit']).toBe(layout.SOCKET_RULES.audit);
    expect(offsets.event_head).toBe(EVENT_FIXED_SIZE);
    expect([offsets['event_head.ktime'], offsets['event_head.comm'], offsets['event_head.a'], offsets['event_head.address'], offsets['event_head.fstype'], offsets['event_head.path_length']]).toEqual([24, 32, 48, 64, 80, 96]);
  });

  it('the hash constants of the programs are those of the encoder', async () => {
    const source = readFileSync(join(BPF_SOURCE_DIRECTORY, 'path-match.h'), 'utf8');
    const hash = await import('../src/encode/path-hash.js');
    expect(BigInt(/#define HASH_MULTIPLIER (0x[0-9a-f]+)ULL/.exec(source)![1]!)).toBe(hash.HASH_MULTIPLIER);
    expect(BigInt(/#define FORWARD_SEED (0x[0-9a-f]+)ULL/.exec(source)![1]!)).toBe(hash.FORWARD_SEED);
    expect(BigInt(/#define BACKWARD_SEED (0x[0-9a-f]+)ULL/.exec(source)![1]!)).toBe(hash.BACKWARD_SEED);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// The benchmark's generator (plain JavaScript, typed by bench/audit-log.d.mts), shared with bench/audit.mjs.
import { auditLog, exactJson, fuzzedVariants } from '../../../bench/audit-log.mjs';
import { auditRecordDecoder } from '@armorkit/core/audit';
import { seccompAuditRecord } from '../src/audit/seccomp-record.js';

const records = auditRecordDecoder(seccompAuditRecord);
const decodeSeccompRecord = (line: string) => records.decodeLine(line);
import { decodeSeccompRecord as referenceDecode } from './reference/decode-record.js';

const samples = readFileSync(new URL('../../../../shared/corpus/audit/samples.log', import.meta.url).pathname, 'utf8').split('\n').filter(Boolean);
const generated = [...auditLog(30_000, undefined, 0xa11)];
const fuzzed = (lines: readonly string[], variants: number): string[] => fuzzedVariants(lines, variants, 0xf0221);
const exact = exactJson;

/** Same events as the decoder before the fast path: same values, same key order (the JSON line), same undefined fields. */
function expectSameEvents(lines: readonly string[]): number {
  let events = 0;
  for (const line of lines) {
    const expected = referenceDecode(line);
    const actual = decodeSeccompRecord(line);
    if (exact(actual) !== exact(expected)) expect({ line, actual: exact(actual) }).toEqual({ line, actual: exact(expected) });
    if (expected) events += 1;
  }
  return events;
}

describe('seccomp decoder: the declaration read by core against the decoder it replaced', () => {
  it('decodes every line of samples.log as the reference does', () => {
    expect(expectSameEvents(samples)).toBe(10);
  });

  it('decodes the generated log as the reference does', () => {
    expect(expectSameEvents(generated)).toBeGreaterThan(5_000);
  });

  it('decodes fuzzed variants of samples.log and of the generated log as the reference does', () => {
    const lines = [...fuzzed(samples, 300), ...fuzzed(generated.slice(0, 15_000).filter((line) => !line.startsWith('type=PROCTITLE')), 2)];
    expect(expectSameEvents(lines)).toBeGreaterThan(5_000);
  });

  it('decodes kernel-order records in every transport, with labels, hex and ENRICHED names, as the reference does', () => {
    const record = 'auid=4294967295 uid=0 gid=0 ses=4294967295 subj=varmor-demo-demo-5 (enforce) pid=42 comm="sh" exe="/bin/dash" sig=0 arch=c000003e syscall=56 compat=0 ip=0x7fe2ff5017be code=0x7ffc0000';
    const enriched = '\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=clone';
    const lines = [
      `type=SECCOMP msg=audit(1700000000.123:42): ${record}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record}${enriched}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('arch=c000003e syscall=56', 'arch=40000003 syscall=224')}${enriched.replace('clone', 'gettid').replace('x86_64', 'i386')}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('subj=varmor-demo-demo-5 (enforce) ', '')}${enriched}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('subj=varmor-demo-demo-5 (enforce) ', '')} subj=late (enforce)`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('subj=varmor-demo-demo-5 (enforce)', 'subj==untrusted (complain) (x)')}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('subj=varmor-demo-demo-5 (enforce)', 'subj=system_u:system_r:spc_t:s0:c284,c594')}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record}AUID="unset" UID="root"`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record}^]AUID="unset" UID="root"`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('code=0x7ffc0000', 'code=0x50001')}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('comm="sh"', 'comm=6D7920636F6D6D')}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record.replace('ip=0x7fe2ff5017be', 'ip=0x1=2')}`,
      `audit[7053]: SECCOMP ${record}`,
      `Jan 29 07:58:12 host audispd[568]: node=worker-1 type=SECCOMP msg=audit(1611907092.540:26626): ${record}`,
      `Jul  8 10:31:23 host kernel: [  270.853767] audit: type=1326 audit(1625740283.502:574): ${record}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${record}\r`,
    ];
    // The CR line has none: `code=0x7ffc0000\r` is no number, for both.
    expect(expectSameEvents(lines)).toBe(15);
  });
});

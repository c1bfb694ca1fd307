import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// The benchmark's generator (plain JavaScript, typed by bench/audit-log.d.mts), shared with bench/audit.mjs.
import { auditLog, exactJson, fuzzedVariants } from '../../../bench/audit-log.mjs';
import { auditRecordDecoder } from '@armorkit/core/audit';
import { appArmorAuditRecord } from '../src/audit/apparmor-record.js';

const records = auditRecordDecoder(appArmorAuditRecord);
const decodeAppArmorRecord = (line: string) => records.decodeLine(line);
import { decodeAppArmorRecord as referenceDecode } from './reference/decode-record.js';

const samples = readFileSync(new URL('../../../../shared/corpus/audit/samples.log', import.meta.url).pathname, 'utf8').split('\n').filter(Boolean);
const generated = [...auditLog(30_000, undefined, 0xa11)];
const fuzzed = (lines: readonly string[], variants: number): string[] => fuzzedVariants(lines, variants, 0xf0221);
const exact = exactJson;

/** Same events as the decoder before the fast path: same values, same key order (the JSON line), same undefined fields. */
function expectSameEvents(lines: readonly string[]): number {
  let events = 0;
  for (const line of lines) {
    const expected = referenceDecode(line);
    const actual = decodeAppArmorRecord(line);
    if (exact(actual) !== exact(expected)) expect({ line, actual: exact(actual) }).toEqual({ line, actual: exact(expected) });
    if (expected) events += 1;
  }
  return events;
}

describe('AppArmor decoder: the declaration read by core against the decoder it replaced', () => {
  it('decodes every line of samples.log as the reference does', () => {
    expect(expectSameEvents(samples)).toBe(24);
  });

  it('decodes the generated log as the reference does', () => {
    expect(expectSameEvents(generated)).toBeGreaterThan(5_000);
  });

  it('decodes fuzzed variants of samples.log and of the generated log as the reference does', () => {
    const lines = [...fuzzed(samples, 300), ...fuzzed(generated.slice(0, 15_000).filter((line) => !line.startsWith('type=PROCTITLE')), 2)];
    expect(expectSameEvents(lines)).toBeGreaterThan(5_000);
  });

  it('decodes kernel-order records in every transport, hex-encoded and ENRICHED, as the reference does', () => {
    const record =
      'apparmor="DENIED" operation="open" class="file" profile="varmor-demo-demo-1//child_0" name="/etc/shadow" pid=42 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0';
    const lines = [
      `type=AVC msg=audit(1700000000.123:42): ${record}`,
      `type=AVC msg=audit(1700000000.123:42): ${record}\x1dFSUID="root" OUID="root"`,
      `type=AVC msg=audit(1700000000.123:42): ${record}\x1dFSUID="root" OUID="root"\r`,
      `type=AVC msg=audit(1700000000.123:42): ${record}\x1dFSUID="root" OUID="root" extra=1`,
      `type=AVC msg=audit(1700000000.123:42): ${record}FSUID="root" OUID="root"`,
      `node=worker-1 type=AVC msg=audit(1700000000.123:42): ${record.replace('class="file" ', '')}`,
      `Feb 11 19:02:52 host kernel: [  285.461889] audit: type=1400 audit(1644606172.026:81): ${record}`,
      `audit[36542]: AVC ${record}`,
      `AVC ${record}`,
      `type=AVC msg=audit(1700000000.123:42): ${record.replace('name="/etc/shadow"', 'name=2F746D702F61206220')}`,
      `type=AVC msg=audit(1700000000.123:42): ${record.replace('pid=42', 'pid=4294967296')}`,
      `type=AVC msg=audit(1700000000.123:42): ${record.replace('pid=42', 'pid=1234567890123456')}`,
      `type=AVC msg=audit(1700000000.123:42): ${record.replace('DENIED', 'STATUS')}`,
      `type=AVC msg=audit(1700000000.123:42): ${record.replace('DENIED', 'constructor')}`,
      `type=AVC msg=audit(1700000000.123:42): ${record.replace('profile="varmor-demo-demo-1//child_0"', 'profile="unconfined"')}`,
      `type=AVC msg=audit(1700000000.123:42): ${record.replace('name="/etc/shadow"', 'name=""')}`,
    ];
    // STATUS is no violation; `apparmor="constructor"` is one for both (an inherited property of the action table).
    expect(expectSameEvents(lines)).toBe(15);
  });
});

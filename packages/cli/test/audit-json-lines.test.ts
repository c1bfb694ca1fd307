// The sinks write each event's line into their buffers without JSON.stringify (core's json-bytes.ts). Whatever the
// events of a log are, the bytes must be those of `violationLine(event)` (JSON.stringify of the event in its frame):
// every event of the audit corpus and of fuzzed variants of its lines, and the benchmark's log (bench/audit-log.mjs),
// decoded by the CLI's engine, as they come and as `armorkit audit --policies` attributes them.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AuditLogDecoder, fileSink, streamSink, type ViolationEvent, type ViolationSink } from '@armorkit/core/audit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog, fuzzedVariants } from '../../../bench/audit-log.mjs';
import { violationLine } from '../../core/src/audit/sinks.js';
import { loadEngine } from '../src/index.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const SAMPLES = join(REPO, '../shared/corpus/audit/samples.log');
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-audit-json-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

let events: ViolationEvent[];
beforeAll(async () => {
  const { engine } = await loadEngine({ cwd: scratch });
  const samples = readFileSync(SAMPLES, 'utf8').split('\n');
  const generated = [...auditLog(100_000)];
  const lines = [...samples, ...fuzzedVariants(samples, 50, 0x15a), ...generated, ...fuzzedVariants(generated.slice(0, 2000), 5, 0x15b)];
  const decoder = new AuditLogDecoder(engine.auditRecords);
  events = [...(await decoder.pushAsync(Buffer.from(`${lines.join('\n')}\n`))), ...decoder.end()];
}, 120_000);

/** A fixed clock (Date alone: the batches still go out on setImmediate). */
const TIME = new Date('2026-12-02T03:04:05.678Z');

async function through(open: () => ViolationSink, events: readonly ViolationEvent[]): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(TIME);
  const sink = open();
  for (const event of events) sink.write(event);
  await sink.close();
}

const expected = (events: readonly ViolationEvent[]): string => events.map((event) => violationLine(event, TIME)).join('');

describe('event lines written without JSON.stringify', { timeout: 60_000 }, () => {
  it('the corpus and the benchmark log have events of both enforcers, hostile values among them', () => {
    expect(events.filter((event) => event.enforcer === 'AppArmor').length).toBeGreaterThan(25_000);
    expect(events.filter((event) => event.enforcer === 'Seccomp').length).toBeGreaterThan(25_000);
    expect(events.some((event) => /[^\x20-\x7e]|["\\]/.test(JSON.stringify(event.event).replaceAll('\\"', '').replaceAll('"', '')))).toBe(true);
  });

  it('stream sink: every line is violationLine(event), byte for byte', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    await through(() => streamSink(out), events);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected(events));
  });

  it('attributed events (the --policies spread), and events of other shapes', async () => {
    const owner = { policyKind: 'VarmorClusterPolicy', policyName: 'demo "x"', policyNamespace: '' };
    const shaped = events.slice(0, 20_000).flatMap((event, i) => [
      { ...event, ...owner },
      i % 7 === 0 ? { ...event, nodeName: 'node-ü', metadata: { pod: { uid: i } }, podName: undefined as unknown as string } : event,
    ]);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    await through(() => streamSink(out), shaped);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected(shaped));
  });

  it('file sink: the same bytes, through its smaller batches', async () => {
    const some = events.filter((_, i) => i % 25 === 0);
    const path = join(scratch, 'violations.log');
    await through(() => fileSink({ path, maxSize: '1G' }), some);
    expect(readFileSync(path, 'utf8')).toBe(expected(some));
  });
});

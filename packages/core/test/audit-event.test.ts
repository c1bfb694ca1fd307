import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { profileNameFromLabel, violationEvent, violationEventSchema } from '../src/audit/event.js';
import { overLongLineWarning } from '../src/audit/over-long-line.js';
import { fileSink, streamSink, violationLine, warningLine } from '../src/audit/sinks.js';

const event = violationEvent({
  eventTimestamp: 1700000000,
  enforcer: 'AppArmor',
  action: 'DENIED',
  profileName: 'varmor-demo-demo-1',
  pid: 42,
  event: { operation: 'open', name: '/etc/shadow' },
});

describe('ViolationEvent', () => {
  it('fills vArmor defaults in vArmor field order; the schema rejects unknown actions', () => {
    expect(event.podName).toBe('');
    expect(event.metadata).toEqual({});
    expect(violationEventSchema.parse(event)).toEqual(event);
    expect(Object.keys(event)).toEqual(Object.keys(violationEventSchema.parse(event)));
    expect(() => violationEventSchema.parse({ eventTimestamp: 1, enforcer: 'AppArmor', action: 'BLOCKED' })).toThrow();
  });

  it.each([
    ['varmor-demo-demo-1', { profileName: 'varmor-demo-demo-1' }],
    ['varmor-demo-demo-1//child_0', { profileName: 'varmor-demo-demo-1', childProfile: 'child_0' }],
    ['varmor-demo-demo-5 (enforce)', { profileName: 'varmor-demo-demo-5' }],
    ['unconfined', { profileName: '' }],
    ['?', { profileName: '' }],
  ])('profile label %s', (label, expected) => {
    expect(profileNameFromLabel(label)).toEqual(expected);
  });
});

describe('sinks', () => {
  it('stream sink writes vArmor-shaped JSON lines', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sink = streamSink(out);
    sink.write(event);
    await sink.close();
    const line = JSON.parse(chunks.join('').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', enforcer: 'AppArmor', action: 'DENIED', message: 'violation event' });
    expect(Object.keys(line).slice(0, 2)).toEqual(['level', 'metadata']);
    expect(Object.keys(line).slice(-2)).toEqual(['time', 'message']);
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('a line is one JSON object whatever the event carries: quotes, newlines, control bytes, non-ASCII', () => {
    const hostile = { ...event, event: { operation: 'open', name: '/tmp/a"b\nc\u0000d\u00e9}{"level":"info"' } };
    const time = new Date('2026-11-22T10:00:00.000Z');
    const line = violationLine(hostile, time);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ level: 'warn', ...hostile, time: '2026-11-22T10:00:00.000Z', message: 'violation event' });
  });

  it('writes a reader warning as a line of the same log, in order with the events, told apart by its message', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sink = streamSink(out);
    const warning = overLongLineWarning('/var/log/audit/a"b.log', 7, 123_456);
    sink.write(event);
    sink.warn(warning);
    sink.write({ ...event, pid: 43 });
    await sink.close();
    const lines = chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message)).toEqual(['violation event', warning.message, 'violation event']);
    const time = new Date('2026-11-22T10:00:00.000Z');
    expect(JSON.parse(warningLine(warning, time))).toEqual({
      level: 'warn',
      code: 'AUDIT_LINE_TOO_LONG',
      source: '/var/log/audit/a"b.log',
      line: 7,
      offset: 123_456,
      time: '2026-11-22T10:00:00.000Z',
      message: '/var/log/audit/a"b.log: line 7 (at byte 123456) is longer than 65536 bytes: skipped whole, it is not an audit record',
    });
    expect(lines[1]).not.toHaveProperty('enforcer');
  });

  it('stream sink writes everything before close resolves, in order', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sink = streamSink(out);
    for (let i = 0; i < 5000; i++) sink.write({ ...event, pid: i });
    await sink.close();
    const pids = chunks.join('').trim().split('\n').map((l) => (JSON.parse(l) as { pid: number }).pid);
    expect(pids).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('writes the bytes violationLine makes, for any event: non-ASCII, empty detail, lines longer than a batch', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sink = streamSink(out);
    const events = [
      event,
      { ...event, event: {} },
      { ...event, event: { name: '/tmp/\u00e9t\u00e9 \ud83d\ude00 \u0141\ud800', comm: 'a"b\\c\u0001' } },
      { ...event, event: { name: 'x'.repeat(3 << 20) } },
      ...Array.from({ length: 3000 }, (_, i) => ({ ...event, pid: i, event: { name: `/\u00e9${'y'.repeat(i)}` } })),
    ];
    for (const each of events) sink.write(each);
    await sink.close();
    const time = new Date('2026-11-22T10:00:00.000Z');
    const stamp = (text: string) => text.replace(/"time":"[^"]*"/g, `"time":"${time.toISOString()}"`);
    expect(stamp(Buffer.concat(chunks).toString('utf8'))).toBe(events.map((each) => violationLine(each, time)).join(''));
  });

  it("a stream's reader may keep the buffers it was given: later batches are not written into them", async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sink = streamSink(out);
    const events = Array.from({ length: 40 }, (_, i) => ({ ...event, pid: i, event: { name: 'z'.repeat(100_000 + i) } }));
    for (const each of events) {
      sink.write(each);
      // Each batch's write callback comes before the next batch is made.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sink.close();
    const pids = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((line) => (JSON.parse(line) as { pid: number }).pid);
    expect(pids).toEqual(events.map((each) => each.pid));
  });

  it('file sink appends JSON lines and rotates by size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'armorkit-sink-'));
    const sink = fileSink({ path: join(dir, 'violations.log'), maxSize: '1K', maxFiles: 3 });
    for (let i = 0; i < 40; i++) sink.write({ ...event, pid: i });
    await sink.close();
    const files = readdirSync(dir).filter((f) => /^violations\.log(\.\d+)?$/.test(f)).sort();
    expect(files.length).toBeGreaterThan(1);
    const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean));
    expect(lines.every((l) => (JSON.parse(l) as { enforcer: string }).enforcer === 'AppArmor')).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});

import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { AuditLineSplitter, AuditLogDecoder, skippableAuditLine, violationEvent } from '../src/index.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

const LINES = [
  'type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open"',
  'type=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=257 comm="apparmor=DENIED"',
  'type=PROCTITLE msg=audit(1.2:3): proctitle=636174',
  'node=worker-1 type=SECCOMP msg=audit(1.2:4): auid=0 arch=c000003e syscall=1 code=0x0',
  'node=worker-1 type=CWD msg=audit(1.2:4): cwd="/"',
  'type=USER_AVC msg=audit(1.2:5): pid=1 msg=\'apparmor="DENIED" operation="dbus_method_call"\'',
  'type=APPARMOR_DENIED msg=audit(1.2:6): apparmor="DENIED"',
  'type=1400 audit(1.2:7): apparmor="DENIED"',
  'type=UNKNOWN[1503] msg=audit(1.2:8): apparmor="DENIED"',
  'Feb 11 19:02:52 host kernel: [  285.46] audit: type=1400 audit(1.2:9): apparmor="DENIED" name="/tmp/é"',
  'audit[36542]: AVC apparmor="DENIED" comm="naïve"',
  '',
  'type=',
  'typo=SYSCALL',
];
const SKIPPED = new Set([1, 2, 4]);

/** Cuts `data` at random places (the same every run). */
function chunks(data: Buffer, seed: number): Buffer[] {
  let state = seed;
  const out: Buffer[] = [];
  for (let start = 0; start < data.length; ) {
    state = (state * 1103515245 + 12345) >>> 0;
    const size = 1 + (state % 97);
    out.push(data.subarray(start, start + size));
    start += size;
  }
  return out;
}

function split(pieces: Buffer[], breaks: 'newline' | 'readline'): { lines: string[]; count: number } {
  const splitter = new AuditLineSplitter(breaks);
  const lines: string[] = [];
  // The caller may reuse its buffer: hand out copies and overwrite them afterwards.
  for (const piece of pieces) {
    const copy = Buffer.from(piece);
    splitter.push(copy, (line) => lines.push(line));
    copy.fill(0x58);
  }
  splitter.end((line) => lines.push(line));
  return { lines, count: splitter.lines };
}

describe('audit log lines', () => {
  it('skips auditd record types no decoder reads, on their bytes', () => {
    LINES.forEach((line, i) => expect(skippableAuditLine(bytes(line), 0, bytes(line).length), line).toBe(SKIPPED.has(i)));
  });

  it('splits files as split("\\n") does: CR kept, empty lines counted, a last line without a newline', () => {
    const text = `${LINES.join('\n')}\r\n${LINES.join('\r\n')}\nlast`;
    const expected = text.split('\n');
    for (let seed = 1; seed < 40; seed++) {
      const { lines, count } = split(chunks(bytes(text), seed), 'newline');
      expect(count).toBe(expected.length);
      expect(lines).toEqual(expected.filter((line) => !skippableAuditLine(bytes(line), 0, bytes(line).length)));
    }
  });

  it('splits standard input as node:readline does: \\n, \\r\\n and \\r end a line', async () => {
    const text = `${LINES.join('\n')}\r\n${LINES.join('\r\n')}\r${LINES.join('\r')}\r\n\r\n\n\rtail`;
    for (let seed = 1; seed < 20; seed++) {
      const pieces = chunks(bytes(text), seed);
      const expected: string[] = [];
      for await (const line of createInterface({ input: Readable.from(pieces), crlfDelay: Infinity })) expected.push(line);
      const { lines, count } = split(pieces, 'readline');
      expect(count).toBe(expected.length);
      expect(lines).toEqual(expected.filter((line) => !skippableAuditLine(bytes(line), 0, bytes(line).length)));
    }
  });

  it('decodes lines into events in order, per chunk', () => {
    const decoder = new AuditLogDecoder((line) =>
      line.includes('DENIED') ? violationEvent({ eventTimestamp: 0, enforcer: 'AppArmor', action: 'DENIED', event: { line } }) : undefined,
    );
    const events = [...decoder.push(bytes(`${LINES.slice(0, 7).join('\n')}\n${LINES[7]}`)), ...decoder.end()].map((event) => event.event.line);
    expect(events).toEqual([LINES[0], LINES[5], LINES[6], LINES[7]]);
    expect(decoder.lines).toBe(8);
  });
});

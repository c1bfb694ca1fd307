import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { AUDIT_LINE_MAX_BYTES, type AuditLineWarning, auditLineWarningSchema } from '../src/audit/over-long-line.js';
import { AuditLineSplitter, skippableAuditLine } from '../src/audit/log-lines.js';
import { AuditLogDecoder } from '../src/audit/log-decoder.js';
import type { AuditRecordDecoder } from '../src/audit/record-registry.js';
import { violationEvent, type ViolationEvent } from '../src/audit/event.js';

/** A record reader that reads every record as its line (what these tests look at). */
const lineReader = (decodeLine: (line: string) => ViolationEvent | undefined): AuditRecordDecoder => ({
  decodeLine,
  decodeFields: (fields) => decodeLine(fields.line()),
});

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
    const decoder = new AuditLogDecoder(lineReader((line) =>
      line.includes('DENIED') ? violationEvent({ eventTimestamp: 0, enforcer: 'AppArmor', action: 'DENIED', event: { line } }) : undefined,
    ));
    const events = [...decoder.push(bytes(`${LINES.slice(0, 7).join('\n')}\n${LINES[7]}`)), ...decoder.end()].map((event) => event.event.line);
    expect(events).toEqual([LINES[0], LINES[5], LINES[6], LINES[7]]);
    expect(decoder.lines).toBe(8);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Lines longer than AUDIT_LINE_MAX_BYTES: skipped whole, one warning each, the lines after them read as usual.

const MAX = AUDIT_LINE_MAX_BYTES;
/** An AVC line of exactly `length` bytes (its name padded), numbered by `serial`. */
const avcOf = (length: number, serial: number): string => {
  const head = `type=AVC msg=audit(1.2:${serial}): apparmor="DENIED" operation="open" name="/`;
  return `${head}${'n'.repeat(Math.max(0, length - head.length - 1))}"`;
};

interface Expected {
  lines: string[];
  count: number;
  warnings: [number, number][];
}

/**
 * The log `lines.join(lineBreak)` (+ a last break), and what reading it must give: the lines of at most MAX bytes
 * (without their break) that are not skippable, every line counted, and a [line, offset] warning per longer line.
 */
function overLongLog(lines: readonly string[], lineBreak: string, finalBreak: boolean): { input: Buffer; expected: Expected } {
  const expected: Expected = { lines: [], count: lines.length, warnings: [] };
  let offset = 0;
  lines.forEach((line, i) => {
    const length = Buffer.byteLength(line);
    if (length > MAX) expected.warnings.push([i + 1, offset]);
    else if (!skippableAuditLine(bytes(line), 0, length)) expected.lines.push(line);
    offset += length + lineBreak.length;
  });
  return { input: bytes(lines.join(lineBreak) + (finalBreak ? lineBreak : '')), expected };
}

/** The JavaScript decoder over `input` cut into `sizes` (cycled): the lines it decoded, its line count, its warnings. */
function readOverLong(input: Buffer, sizes: readonly number[], breaks: 'newline' | 'readline'): Expected & { overLong: number } {
  const decoded: string[] = [];
  const warnings: AuditLineWarning[] = [];
  const decoder = new AuditLogDecoder(
    lineReader((line) => {
      decoded.push(line);
      return undefined;
    }),
    { breaks, native: false, source: 'test.log', onWarning: (warning) => warnings.push(warning) },
  );
  for (let at = 0, i = 0; at < input.length; i++) {
    const size = sizes[i % sizes.length] as number;
    // A copy, overwritten afterwards: nothing may be kept from a chunk but what the decoder copied.
    const copy = Buffer.from(input.subarray(at, at + size));
    decoder.push(copy);
    copy.fill(0x58);
    at += size;
  }
  decoder.end();
  for (const warning of warnings) {
    expect(auditLineWarningSchema.parse(warning)).toEqual(warning);
    expect(warning.message).toBe(`test.log: line ${warning.line} (at byte ${warning.offset}) is longer than 65536 bytes: skipped whole, it is not an audit record`);
  }
  return { lines: decoded, count: decoder.lines, warnings: warnings.map((w) => [w.line, w.offset]), overLong: decoder.overLongLines };
}

const OVER_LONG_LINES = [
  avcOf(200, 1),
  avcOf(MAX, 2), // exactly the cap: kept
  avcOf(MAX + 1, 3), // one byte over
  avcOf(300, 4),
  avcOf(3 * 1024 * 1024 + 5, 5), // spans many chunks
  avcOf(301, 6),
  ...Array.from({ length: 6 }, (_, i) => avcOf(MAX + 1 + i * 4099, 7 + i)), // over-long lines in a row
  '',
  `type=SYSCALL msg=audit(1.2:20): ${'a=b '.repeat(MAX / 4)}`, // over-long and of a skipped type: still warned of
  `Feb 11 19:02:52 host kernel: [ 285.46] audit: type=1400 audit(1.2:21): apparmor="DENIED" name="/é${'é'.repeat(MAX / 2)}"`,
  avcOf(MAX - 1, 22),
  avcOf(302, 23),
];

describe('over-long audit lines', () => {
  it('caps a line at AUDIT_LINE_MAX_BYTES (64 KiB): a line of exactly the cap is read, one byte more is not', () => {
    expect(MAX).toBe(65_536);
    const { input, expected } = overLongLog([avcOf(MAX, 1), avcOf(MAX + 1, 2), avcOf(10, 3)], '\n', true);
    expect(readOverLong(input, [input.length], 'newline')).toEqual({ ...expected, overLong: 1 });
    expect(expected.warnings).toEqual([[2, MAX + 1]]);
    expect(expected.lines).toEqual([avcOf(MAX, 1), avcOf(10, 3)]);
  });

  it('skips each over-long line whole with one warning (line, byte offset) and reads the lines after it, cut any way', () => {
    for (const finalBreak of [true, false]) {
      for (const last of [[], [avcOf(MAX + 7, 30)], [avcOf(40, 31)]]) {
        const { input, expected } = overLongLog([...OVER_LONG_LINES, ...last], '\n', finalBreak);
        expect(expected.warnings.length).toBe(10 + last.filter((line) => line.length > MAX).length);
        for (const sizes of [[input.length], [1 << 20], [MAX + 1], [MAX], [MAX - 1], [4096], [4096, 1, MAX * 2 + 3, 17], [100_003]]) {
          expect({ finalBreak, last: last.length, sizes, ...readOverLong(input, sizes, 'newline') }).toEqual({
            finalBreak,
            last: last.length,
            sizes,
            ...expected,
            overLong: expected.warnings.length,
          });
        }
      }
    }
  });

  it('reads over-long lines the same in chunks of 1 and 7 bytes', () => {
    const { input, expected } = overLongLog([avcOf(10, 1), avcOf(MAX, 2), avcOf(MAX + 1, 3), avcOf(200_000, 4), avcOf(MAX + 2, 5), avcOf(20, 6)], '\n', false);
    for (const sizes of [[1], [7]]) expect(readOverLong(input, sizes, 'newline')).toEqual({ ...expected, overLong: 3 });
  });

  it('counts a CR in the line when files split on \\n alone, and not when standard input splits on \\r\\n', () => {
    const lines = [avcOf(MAX - 1, 1), avcOf(MAX, 2), avcOf(MAX + 1, 3), avcOf(50, 4)];
    const file = overLongLog(lines.map((line) => `${line}\r`), '\n', true);
    expect(file.expected.warnings.map(([line]) => line)).toEqual([2, 3]);
    const stdin = overLongLog(lines, '\r\n', true);
    expect(stdin.expected.warnings.map(([line]) => line)).toEqual([3]);
    for (const sizes of [[stdin.input.length], [1 << 16], [MAX + 1], [MAX + 2], [4093], [1, MAX, 3]]) {
      expect(readOverLong(file.input, sizes, 'newline')).toEqual({ ...file.expected, overLong: 2 });
      expect(readOverLong(stdin.input, sizes, 'readline')).toEqual({ ...stdin.expected, overLong: 1 });
    }
  });

  it('reads standard input with over-long lines as node:readline would, bar those lines (\\r, \\r\\n and \\n ends)', async () => {
    const text = [avcOf(30, 1), avcOf(MAX + 3, 2), avcOf(40, 3), avcOf(MAX, 4), avcOf(200_000, 5), avcOf(50, 6)].join('\r') + '\r\n' + avcOf(MAX + 9, 7) + '\n\r\n' + avcOf(60, 8);
    for (let seed = 1; seed < 6; seed++) {
      const pieces = chunks(bytes(text), seed * 7919).reduce<Buffer[]>((merged, piece, i) => {
        // Random cuts of 1..97 bytes, gathered into pieces of a few KiB so the run stays short.
        if (i % 64 === 0) merged.push(piece);
        else merged[merged.length - 1] = Buffer.concat([merged[merged.length - 1] as Buffer, piece]);
        return merged;
      }, []);
      const all: string[] = [];
      for await (const line of createInterface({ input: Readable.from(pieces), crlfDelay: Infinity })) all.push(line);
      const got = readOverLong(bytes(text), pieces.map((piece) => piece.length), 'readline');
      expect(got.count).toBe(all.length);
      expect(got.lines).toEqual(all.filter((line) => Buffer.byteLength(line) <= MAX));
      expect(got.warnings.map(([line]) => line)).toEqual([2, 5, 7]);
    }
  });

  it('keeps memory bounded over a 256 MiB line streamed in 1 MiB chunks (JavaScript path)', () => {
    const decoded: string[] = [];
    const warnings: AuditLineWarning[] = [];
    const decoder = new AuditLogDecoder(
      lineReader((line) => {
        decoded.push(line);
        return violationEvent({ eventTimestamp: 0, enforcer: 'AppArmor', action: 'DENIED' });
      }),
      { native: false, source: 'big.log', onWarning: (warning) => warnings.push(warning) },
    );
    const chunk = Buffer.alloc(1 << 20, 0x61);
    decoder.push(bytes('type=AVC msg=audit(1.2:1): name="'));
    const before = process.memoryUsage();
    for (let i = 0; i < 256; i++) expect(decoder.push(chunk)).toEqual([]);
    const after = process.memoryUsage();
    const events = [...decoder.push(bytes(`"\n${avcOf(100, 2)}\n`)), ...decoder.end()];
    // The old carry held the whole line: 256 MiB more of buffers, and as much RSS.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(4 << 20);
    expect(after.rss - before.rss).toBeLessThan(64 << 20);
    expect(warnings.map((w) => [w.source, w.line, w.offset])).toEqual([['big.log', 1, 0]]);
    expect(decoded).toEqual([avcOf(100, 2)]);
    expect(events).toHaveLength(1);
    expect(decoder.lines).toBe(2);
  });
});

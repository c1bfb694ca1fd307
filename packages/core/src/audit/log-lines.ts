// Kernel and auditd logs arrive as bytes by the hundred megabytes. Lines are split on the bytes, and an auditd line whose
// record type no decoder reads (SYSCALL, PROCTITLE, PATH, CWD, EXECVE, ...: most of an audit.log) is skipped on its
// type bytes before it becomes a string, as vArmor's tailer skips lines without type=1400/AVC/1326/SECCOMP. Every
// other line is decoded once into a string, as `createReadStream(…, 'utf8')` or `readline` would have given it.

import { isAscii } from 'node:buffer';
import { CARRIAGE_RETURN, NEWLINE, SPACE } from './audit-bytes.js';
import { AUDIT_LINE_MAX_BYTES, type OverLongLine } from './over-long-line.js';
import { PendingLine } from './pending-line.js';

/** How lines end: at `\n` alone (CR kept in the line, as `split('\n')`), or at `\n`, `\r\n` and `\r` (as `readline`). */
export type LineBreaks = 'newline' | 'readline';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const TYPE = bytes('type=');
const NODE = bytes('node=');
/**
 * Record types whose lines are decoded: AppArmor (AVC, USER_AVC for D-Bus mediation, APPARMOR_*), seccomp (SECCOMP),
 * any type auditd could not name (a number, UNKNOWN[n]). Any other named type is never one of ours.
 */
const DECODED_TYPES = ['AVC ', 'USER_AVC ', 'SECCOMP ', 'APPARMOR', 'UNKNOWN'].map(bytes);

function bytesAt(buffer: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (buffer[at + i] !== expected[i]) return false;
  return true;
}

/**
 * True when `buffer[start, end)` is an auditd line (`type=NAME msg=…`, or audispd's `node=HOST type=NAME …`) of a
 * record type none of our decoders reads. Lines of other transports (kern.log, dmesg, journald) are never skipped.
 */
export function skippableAuditLine(buffer: Uint8Array, start: number, end: number): boolean {
  let at = start;
  if (bytesAt(buffer, at, NODE)) {
    at += NODE.length;
    while (at < end && buffer[at] !== SPACE) at++;
    at++;
  }
  if (end - at < TYPE.length + 3 || !bytesAt(buffer, at, TYPE)) return false;
  at += TYPE.length;
  const first = buffer[at] as number;
  if (first >= 0x30 && first <= 0x39) return false;
  for (const type of DECODED_TYPES) if (bytesAt(buffer, at, type)) return false;
  return true;
}

/**
 * Splits a byte stream into lines, keeping a partial last line until the next chunk, and hands each line that is not
 * skippable to `line`. A line longer than AUDIT_LINE_MAX_BYTES is skipped whole, its rest not kept as it arrives, and
 * reported once to `overLong`. One instance per source; `lines` counts every line, skipped or not.
 */
export class AuditLineSplitter {
  /** Lines seen, skipped ones included. */
  lines = 0;
  /** Lines longer than AUDIT_LINE_MAX_BYTES (skipped, and counted in `lines`). */
  overLongLines = 0;
  private readonly pending = new PendingLine();
  /** Bytes of the chunks before the current one: where the current one starts in the stream. */
  private consumed = 0;
  /** readline mode: the previous chunk ended in `\r`, so a `\n` starting this one ends nothing. */
  private pendingCarriageReturn = false;

  constructor(
    private readonly breaks: LineBreaks = 'newline',
    private readonly overLong: OverLongLine = () => {},
  ) {}

  /** Every complete line of `chunk` (after what earlier chunks left over), in order. `chunk` may be reused afterwards. */
  push(chunk: Buffer, line: (text: string) => void): void {
    let start = this.afterPendingCarriageReturn(chunk, 0);
    if (this.pending.waiting) start = this.endPending(chunk, start, line);
    if (start >= 0) {
      // Lines end at the last `\n` (or, for readline, anywhere up to the end: a final `\r` ends a line too).
      const complete = this.breaks === 'readline' ? chunk.length : chunk.lastIndexOf(NEWLINE) + 1;
      if (complete > start) start = this.lines_(chunk, start, complete, line);
      if (start < chunk.length) {
        this.pending.begin(this.consumed + start);
        if (this.pending.extend(chunk, start, chunk.length)) this.overLongLine(this.lines + 1, this.pending.offset);
      }
    }
    this.consumed += chunk.length;
  }

  /** The last line, when the source did not end with a line break. */
  end(line: (text: string) => void): void {
    const kept = this.pending.take();
    if (kept === undefined || kept.length === 0) return;
    this.lines += 1;
    if (!skippableAuditLine(kept, 0, kept.length)) line(text(kept, 0, kept.length, isAscii(kept)));
  }

  /** Continues the waiting line with the start of `chunk`; returns where the next line starts, or -1 if none does. */
  private endPending(chunk: Buffer, start: number, line: (text: string) => void): number {
    const lineBreak = this.firstLineBreak(chunk, start);
    if (this.pending.extend(chunk, start, lineBreak < 0 ? chunk.length : lineBreak)) this.overLongLine(this.lines + 1, this.pending.offset);
    if (lineBreak < 0) return -1;
    const kept = this.pending.take();
    if (kept !== undefined) {
      this.lines += 1;
      if (!skippableAuditLine(kept, 0, kept.length)) line(text(kept, 0, kept.length, isAscii(kept)));
    }
    return this.afterLineBreak(chunk, lineBreak);
  }

  /** Where the line after the break at `lineBreak` starts (past the `\n` of a `\r\n`, even in the next chunk). */
  private afterLineBreak(chunk: Buffer, lineBreak: number): number {
    if (chunk[lineBreak] !== CARRIAGE_RETURN) return lineBreak + 1;
    if (lineBreak === chunk.length - 1) {
      this.pendingCarriageReturn = true;
      return lineBreak + 1;
    }
    return chunk[lineBreak + 1] === NEWLINE ? lineBreak + 2 : lineBreak + 1;
  }

  /** Past the `\n` of a `\r\n` whose `\r` ended the previous piece (readline mode). */
  private afterPendingCarriageReturn(chunk: Buffer, start: number): number {
    if (!this.pendingCarriageReturn || start >= chunk.length) return start;
    this.pendingCarriageReturn = false;
    return chunk[start] === NEWLINE ? start + 1 : start;
  }

  private firstLineBreak(chunk: Buffer, start: number): number {
    const newline = chunk.indexOf(NEWLINE, start);
    if (this.breaks !== 'readline') return newline;
    const carriageReturn = chunk.indexOf(CARRIAGE_RETURN, start);
    return carriageReturn >= 0 && (newline < 0 || carriageReturn < newline) ? carriageReturn : newline;
  }

  private overLongLine(line: number, offset: number): void {
    this.lines += 1;
    this.overLongLines += 1;
    this.overLong(line, offset);
  }

  /** Hands out the lines of `buffer[start, end)`; returns where the unfinished part begins. */
  private lines_(buffer: Buffer, start: number, end: number, line: (text: string) => void): number {
    // A chunk of ASCII (the kernel hex-encodes any other byte of a value) is decoded as latin1, byte for character.
    const ascii = isAscii(buffer.subarray(start, end));
    // Each break is looked up once, when passed: searching for the next `\n` at every `\r` of a chunk without one
    // would read the rest of the chunk per line.
    let carriageReturn = this.breaks === 'readline' ? buffer.indexOf(CARRIAGE_RETURN, start) : -1;
    let newline = buffer.indexOf(NEWLINE, start);
    let count = 0;
    for (;;) {
      if (newline >= 0 && newline < start) newline = buffer.indexOf(NEWLINE, start);
      const stop = newline >= 0 && newline < end ? newline : -1;
      let lineEnd: number;
      let next: number;
      if (carriageReturn >= 0 && (stop < 0 || carriageReturn < stop)) {
        lineEnd = carriageReturn;
        next = this.afterLineBreak(buffer, carriageReturn);
        carriageReturn = buffer.indexOf(CARRIAGE_RETURN, next);
      } else if (stop >= 0) {
        lineEnd = stop;
        next = stop + 1;
      } else break;
      count += 1;
      if (lineEnd - start > AUDIT_LINE_MAX_BYTES) {
        this.overLongLines += 1;
        this.overLong(this.lines + count, this.consumed + start);
      } else if (!skippableAuditLine(buffer, start, lineEnd)) line(text(buffer, start, lineEnd, ascii));
      start = next;
    }
    this.lines += count;
    return start;
  }
}

/** Buffer's own slice decoders (what `toString(encoding, start, end)` calls after checking its arguments). */
interface SliceDecoders {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

function text(buffer: Buffer, start: number, end: number, ascii: boolean): string {
  const decoders = buffer as unknown as SliceDecoders;
  return ascii ? decoders.latin1Slice(start, end) : decoders.utf8Slice(start, end);
}

// Kernel and auditd logs arrive as bytes by the hundred megabytes. Lines are split on the bytes, and an auditd line whose
// record type no decoder reads (SYSCALL, PROCTITLE, PATH, CWD, EXECVE, ...: most of an audit.log) is skipped on its
// type bytes before it becomes a string, as vArmor's tailer skips lines without type=1400/AVC/1326/SECCOMP. Every
// other line is decoded once into a string, as `createReadStream(…, 'utf8')` or `readline` would have given it.

import { isAscii } from 'node:buffer';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;

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
 * skippable to `line`. One instance per source; `lines` counts every line, skipped or not.
 */
export class AuditLineSplitter {
  /** Lines seen, skipped ones included. */
  lines = 0;
  private carry: Buffer | undefined;
  /** readline mode: the previous chunk ended in `\r`, so a `\n` starting this one ends nothing. */
  private pendingCarriageReturn = false;

  constructor(private readonly breaks: LineBreaks = 'newline') {}

  /** Every complete line of `chunk` (after what earlier chunks left over), in order. `chunk` may be reused afterwards. */
  push(chunk: Buffer, line: (text: string) => void): void {
    let start = this.afterPendingCarriageReturn(chunk, 0);
    if (this.carry !== undefined) {
      // Only the line the carry begins is copied together, not the whole chunk.
      const lineBreak = this.firstLineBreak(chunk, start);
      if (lineBreak < 0) {
        this.carry = Buffer.concat([this.carry, chunk.subarray(start)]);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(start, lineBreak + 1)]);
      this.carry = undefined;
      this.lines_(joined, 0, joined.length, line);
      start = this.afterPendingCarriageReturn(chunk, lineBreak + 1);
    }
    // Lines end at the last `\n` (or, for readline, anywhere up to the end: a final `\r` ends a line too).
    const complete = this.breaks === 'readline' ? chunk.length : chunk.lastIndexOf(NEWLINE) + 1;
    if (complete > start) start = this.lines_(chunk, start, complete, line);
    if (start < chunk.length) this.carry = Buffer.from(chunk.subarray(start));
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

  /** The last line, when the source did not end with a line break. */
  end(line: (text: string) => void): void {
    const carry = this.carry;
    this.carry = undefined;
    if (carry === undefined || carry.length === 0) return;
    this.lines += 1;
    if (!skippableAuditLine(carry, 0, carry.length)) line(carry.toString('utf8'));
  }

  /** Hands out the lines of `buffer[start, end)`; returns where the unfinished part begins. */
  private lines_(buffer: Buffer, start: number, end: number, line: (text: string) => void): number {
    // A chunk of ASCII (the kernel hex-encodes any other byte of a value) is decoded as latin1, byte for character.
    const ascii = isAscii(buffer.subarray(start, end));
    // In readline mode a `\r` also ends a line; its next position is looked up once per `\r`, not once per line.
    let carriageReturn = this.breaks === 'readline' ? buffer.indexOf(CARRIAGE_RETURN, start) : -1;
    let count = 0;
    for (;;) {
      let stop = buffer.indexOf(NEWLINE, start);
      if (stop >= end) stop = -1;
      if (carriageReturn >= 0 && (stop < 0 || carriageReturn < stop)) {
        const crlf = buffer[carriageReturn + 1] === NEWLINE;
        // A `\r` ending the data: a `\n` at the start of the next chunk belongs to it.
        if (carriageReturn === buffer.length - 1) this.pendingCarriageReturn = true;
        count += 1;
        if (!skippableAuditLine(buffer, start, carriageReturn)) line(text(buffer, start, carriageReturn, ascii));
        start = crlf ? carriageReturn + 2 : carriageReturn + 1;
        carriageReturn = buffer.indexOf(CARRIAGE_RETURN, start);
        continue;
      }
      if (stop < 0) break;
      count += 1;
      if (!skippableAuditLine(buffer, start, stop)) line(text(buffer, start, stop, ascii));
      start = stop + 1;
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

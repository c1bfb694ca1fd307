import { isAscii } from 'node:buffer';
import { type AuditFields, type AuditFieldsDecoder, DECODE_AS_LINE } from './audit-fields.js';
import type { ViolationEvent } from './event.js';
import { AuditLineSplitter, type LineBreaks, skippableAuditLine } from './log-lines.js';
import { NativeAuditScanner, type ScanVisitor } from './native-scanner.js';

/** One log line → its event, or undefined (the engine's `decodeAudit`, or one plugin's decoder). */
export type AuditLineDecoder = (line: string) => ViolationEvent | undefined;

export interface AuditLogDecoderOptions {
  /** How lines end (default `newline`). */
  breaks?: LineBreaks;
  /** Decodes records the native scanner split into fields (the engine's `decodeAuditFields`); else lines only. */
  decodeFields?: AuditFieldsDecoder;
  /** Use the native scanner when it is built (default true). */
  native?: boolean;
}

const NEWLINE = 0x0a;

/**
 * A byte stream of kernel / auditd log lines → ViolationEvents, in the order of their lines. Feed it chunks as they
 * are read (any size, cut anywhere); each `push` returns the events of the lines it completed. `armorkit audit` reads
 * files and stdin through it, and bench/audit.mjs times it.
 *
 * With the native scanner (native-scanner.ts; `\n` line breaks), lines are split and plain auditd records split into
 * fields in C, and `pushAsync` does that on a second thread while this one decodes. Without it, log-lines.ts splits
 * the lines. The events are the same either way.
 */
export class AuditLogDecoder {
  private readonly splitter: AuditLineSplitter | undefined;
  private readonly scanner: NativeAuditScanner | undefined;
  private events: ViolationEvent[] = [];
  private carry: Buffer | undefined;
  private lineCount = 0;
  private readonly decodeFields: AuditFieldsDecoder | undefined;
  private readonly take = (line: string): void => {
    const event = this.decode(line);
    if (event !== undefined) this.events.push(event);
  };
  private readonly visitor: ScanVisitor = {
    line: (buffer, start, end) => {
      if (skippableAuditLine(buffer, start, end)) return;
      this.take(lineText(buffer, start, end));
    },
    fields: (view: AuditFields) => {
      const answer = this.decodeFields?.(view);
      const event = answer === undefined || answer === DECODE_AS_LINE ? this.decode(view.line()) : answer;
      if (event !== undefined) this.events.push(event);
    },
  };

  constructor(
    private readonly decode: AuditLineDecoder,
    options: AuditLogDecoderOptions | LineBreaks = {},
  ) {
    const { breaks = 'newline', decodeFields, native = true } = typeof options === 'string' ? { breaks: options } : options;
    this.decodeFields = decodeFields;
    this.scanner = native && breaks === 'newline' ? NativeAuditScanner.create() : undefined;
    if (this.scanner === undefined) this.splitter = new AuditLineSplitter(breaks);
  }

  /** True when lines go through the native scanner. */
  get native(): boolean {
    return this.scanner !== undefined;
  }

  /** Lines read so far, skipped ones included. */
  get lines(): number {
    return this.splitter?.lines ?? this.lineCount;
  }

  /** The events of the lines `chunk` completes. */
  push(chunk: Buffer): ViolationEvent[] {
    const scanner = this.scanner;
    if (scanner === undefined) {
      this.splitter?.push(chunk, this.take);
      return this.takeEvents();
    }
    scanner.checkIdle();
    const [start, complete] = this.afterCarry(chunk, scanner);
    if (complete > start) this.lineCount += scanner.scan(chunk, start, complete, this.visitor);
    return this.takeEvents();
  }

  /**
   * The same as `push`, the native scanning on a libuv thread alongside the decoding here; await each call before
   * the next. The events of the chunk's last lines may come with the next call, `flush()` or `end()` (so their
   * scanning too runs alongside): call `flush()` when the input goes quiet. `chunk` must not be reused until then.
   * Without the native scanner it is `push`.
   */
  async pushAsync(chunk: Buffer): Promise<ViolationEvent[]> {
    const scanner = this.scanner;
    if (scanner === undefined) return this.push(chunk);
    scanner.checkIdle();
    const [start, complete] = this.afterCarry(chunk, scanner);
    if (complete > start) this.lineCount += await scanner.scanAsync(chunk, start, complete, this.visitor);
    return this.takeEvents();
  }

  /** The events `pushAsync` held back. */
  flush(): ViolationEvent[] {
    if (this.scanner !== undefined) this.lineCount += this.scanner.flush(this.visitor);
    return this.takeEvents();
  }

  /** The events held back, and the event of a last line without a line break, if any. Frees the native scanner. */
  end(): ViolationEvent[] {
    if (this.scanner === undefined) {
      this.splitter?.end(this.take);
      return this.takeEvents();
    }
    this.scanner.checkIdle();
    this.lineCount += this.scanner.flush(this.visitor);
    const carry = this.carry;
    this.carry = undefined;
    if (carry !== undefined && carry.length > 0) this.lineCount += this.scanner.scan(carry, 0, carry.length, this.visitor);
    this.scanner.close();
    return this.takeEvents();
  }

  /**
   * Completes the line an earlier chunk left unfinished with the start of `chunk` and scans it; keeps what `chunk`
   * leaves unfinished. Returns the range of `chunk` that holds whole lines.
   */
  private afterCarry(chunk: Buffer, scanner: NativeAuditScanner): [number, number] {
    let start = 0;
    if (this.carry !== undefined) {
      const lineBreak = chunk.indexOf(NEWLINE);
      if (lineBreak < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return [0, 0];
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, lineBreak + 1)]);
      this.carry = undefined;
      this.lineCount += scanner.scan(joined, 0, joined.length, this.visitor);
      start = lineBreak + 1;
    }
    // A line break was found at or after `start` (or there was no carry and start is 0): complete >= start.
    const complete = chunk.lastIndexOf(NEWLINE) + 1;
    if (complete < chunk.length) this.carry = Buffer.from(chunk.subarray(complete));
    return [start, complete];
  }

  private takeEvents(): ViolationEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

/** A line the native scanner left to the string decoders: latin1 when ASCII (byte for character), else UTF-8. */
function lineText(buffer: Buffer, start: number, end: number): string {
  return isAscii(buffer.subarray(start, end)) ? buffer.toString('latin1', start, end) : buffer.toString('utf8', start, end);
}

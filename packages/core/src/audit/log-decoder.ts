import { isAscii } from 'node:buffer';
import type { AuditFields } from './audit-fields.js';
import { NEWLINE } from './audit-bytes.js';
import type { ViolationEvent } from './event.js';
import { AuditLineSplitter, type LineBreaks, skippableAuditLine } from './log-lines.js';
import { NativeAuditScanner, type ScanVisitor } from './native-scanner.js';
import { type AuditLineWarning, overLongLineWarning } from './over-long-line.js';
import { PendingLine } from './pending-line.js';
import type { AuditRecordDecoder } from './record-registry.js';

export interface AuditLogDecoderOptions {
  /** How lines end (default `newline`). */
  breaks?: LineBreaks;
  /** Use the native scanner when it is built (default true). */
  native?: boolean;
  /** Where the bytes come from, for warnings (a file path, `-`; default `audit log`). */
  source?: string;
  /**
   * Told of each line longer than AUDIT_LINE_MAX_BYTES, once, as soon as it is found (in line order with the calls of
   * the line decoder: before the `push` that returns the events of the lines before it); the line is skipped whole.
   * `overLongLines` counts them either way.
   */
  onWarning?: (warning: AuditLineWarning) => void;
}


/**
 * A byte stream of kernel / auditd log lines → ViolationEvents, in the order of their lines. Feed it chunks as they
 * are read (any size, cut anywhere); each `push` returns the events of the lines it completed. A line longer than
 * AUDIT_LINE_MAX_BYTES is skipped whole, without being kept, and warned of (`onWarning`). `armorkit audit` reads files
 * and stdin through it, and bench/audit.mjs and bench/audit-long-lines.mjs time it.
 *
 * `records` reads each record (the engine's `auditRecords`: the records its plugins declared). With the native
 * scanner (native-scanner.ts; `\n` line breaks), lines are split and plain auditd records split into
 * fields in C, and `pushAsync` does that on a second thread while this one decodes. Without it, log-lines.ts splits
 * the lines. The events and warnings are the same either way.
 */
export class AuditLogDecoder {
  private readonly splitter: AuditLineSplitter | undefined;
  private readonly scanner: NativeAuditScanner | undefined;
  private events: ViolationEvent[] = [];
  /** Native path: the line the last chunk left unfinished. */
  private readonly pending = new PendingLine();
  /** Native path: bytes of the chunks before the current one. */
  private consumed = 0;
  private overLongCount = 0;
  private readonly overLong = (line: number, offset: number): void => {
    this.overLongCount += 1;
    this.onWarning?.(overLongLineWarning(this.source, line, offset));
  };
  private readonly take = (line: string): void => {
    const event = this.records.decodeLine(line);
    if (event !== undefined) this.events.push(event);
  };
  private readonly visitor: ScanVisitor = {
    line: (buffer, start, end) => {
      if (skippableAuditLine(buffer, start, end)) return;
      this.take(lineText(buffer, start, end));
    },
    fields: (view: AuditFields) => {
      const event = this.records.decodeFields(view);
      if (event !== undefined) this.events.push(event);
    },
    overLong: this.overLong,
  };
  private readonly source: string;
  private readonly onWarning: ((warning: AuditLineWarning) => void) | undefined;

  constructor(
    private readonly records: AuditRecordDecoder,
    options: AuditLogDecoderOptions | LineBreaks = {},
  ) {
    const { breaks = 'newline', native = true, source = 'audit log', onWarning } = typeof options === 'string' ? { breaks: options } : options;
    this.source = source;
    this.onWarning = onWarning;
    this.scanner = native && breaks === 'newline' ? NativeAuditScanner.create() : undefined;
    if (this.scanner === undefined) this.splitter = new AuditLineSplitter(breaks, this.overLong);
  }

  /** True when lines go through the native scanner. */
  get native(): boolean {
    return this.scanner !== undefined;
  }

  /** Lines read so far, skipped ones included. */
  get lines(): number {
    return this.splitter?.lines ?? this.scanner?.lines ?? 0;
  }

  /** Lines longer than AUDIT_LINE_MAX_BYTES, skipped whole (each one warned of once). */
  get overLongLines(): number {
    return this.overLongCount;
  }

  /** The events of the lines `chunk` completes. */
  push(chunk: Buffer): ViolationEvent[] {
    const scanner = this.scanner;
    if (scanner === undefined) {
      this.splitter?.push(chunk, this.take);
      return this.takeEvents();
    }
    scanner.checkIdle();
    const start = this.endPending(chunk, scanner);
    if (start >= 0) {
      const complete = chunk.lastIndexOf(NEWLINE) + 1;
      if (complete > start) scanner.scan(chunk, start, complete, this.visitor, this.consumed);
      this.keepRest(chunk, complete, scanner);
    }
    this.consumed += chunk.length;
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
    const start = this.endPending(chunk, scanner);
    if (start >= 0) {
      const complete = chunk.lastIndexOf(NEWLINE) + 1;
      if (complete > start) await scanner.scanAsync(chunk, start, complete, this.visitor, this.consumed);
      this.keepRest(chunk, complete, scanner);
    }
    this.consumed += chunk.length;
    return this.takeEvents();
  }

  /** The events `pushAsync` held back. */
  flush(): ViolationEvent[] {
    this.scanner?.flush(this.visitor);
    return this.takeEvents();
  }

  /** The events held back, and the event of a last line without a line break, if any. Frees the native scanner. */
  end(): ViolationEvent[] {
    if (this.scanner === undefined) {
      this.splitter?.end(this.take);
      return this.takeEvents();
    }
    this.scanner.checkIdle();
    this.scanner.flush(this.visitor);
    const offset = this.pending.offset;
    const kept = this.pending.take();
    if (kept !== undefined && kept.length > 0) this.scanner.scan(kept, 0, kept.length, this.visitor, offset);
    this.scanner.close();
    return this.takeEvents();
  }

  /**
   * Continues the line an earlier chunk left unfinished with the start of `chunk`, and scans it if `chunk` ends it;
   * returns where the next line starts in `chunk`, or -1 if none does.
   */
  private endPending(chunk: Buffer, scanner: NativeAuditScanner): number {
    const pending = this.pending;
    if (!pending.waiting) return 0;
    const lineBreak = chunk.indexOf(NEWLINE);
    if (pending.extend(chunk, 0, lineBreak < 0 ? chunk.length : lineBreak)) this.overLongPending(scanner);
    if (lineBreak < 0) return -1;
    const offset = pending.offset;
    const kept = pending.take();
    if (kept !== undefined) scanner.scan(kept, 0, kept.length, this.visitor, offset);
    return lineBreak + 1;
  }

  /** Keeps `chunk[from, …)`, the start of a line a later chunk ends (or only its place, when it is already too long). */
  private keepRest(chunk: Buffer, from: number, scanner: NativeAuditScanner): void {
    if (from >= chunk.length) return;
    this.pending.begin(this.consumed + from);
    if (this.pending.extend(chunk, from, chunk.length)) this.overLongPending(scanner);
  }

  /** The waiting line went over the cap: warned of after the records of the lines before it that pushAsync held back. */
  private overLongPending(scanner: NativeAuditScanner): void {
    scanner.flush(this.visitor);
    this.overLong(scanner.countLine(), this.pending.offset);
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

// The native half of AuditLogDecoder: native/audit-scan.c, built into native/build/libarmorkit-audit.so by
// `pnpm run build-all`, called through koffi. It splits lines, skips record types no decoder reads, and splits plain
// auditd records into fields with their repeated texts interned, so that JavaScript makes each distinct string once.
// Without the library (no C compiler, another architecture, ARMORKIT_AUDIT_NATIVE=0) the decoder keeps to
// log-lines.ts; both give the same events (packages/cli/test/audit-native.test.ts).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import koffi, { type LibraryHandle } from 'koffi';
import type { AuditFields } from './audit-fields.js';
import { AUDIT_LINE_MAX_BYTES } from './over-long-line.js';

const LIBRARY = fileURLToPath(new URL('../../native/build/libarmorkit-audit.so', import.meta.url));

/** Record kinds and layout, as audit-scan.c writes them. */
const RECORD_LINE = 1;
const RECORD_OVER_LONG = 3;
const HEADER_INTS = 12;
const RECORD_QUOTED_EQUALS = 1;
const FIELD_INTS = 4;
const FLAG_QUOTED = 1;
const FLAG_LABEL_WORDS = 2;
const FLAG_DECIMAL = 4;
const SLOT_MASK = 0xffff;
const TWO_TO_32 = 2 ** 32;
/** A number the C side passed as two int32 halves: a small integer (a Smi, as the line readers make) when it fits. */
const wide = (low: number, high: number): number => (high === 0 && low >= 0 ? low : high * TWO_TO_32 + (low >>> 0));

/**
 * Ints of output per scan call, of new-text entries, and bytes of copied texts (about 1.8 MB for the two outputs of a
 * decoder): a 256 KiB piece of event lines needs about half the ints and a sixth of the text. The C side stops early
 * when one fills up, and hands over as a line one too long for the text buffer.
 */
const OUT_INTS = 1 << 17;
const NEWS_INTS = 3 << 14;
const TEXT_BYTES = 1 << 18;

interface NativeLibrary {
  create(): unknown;
  free(scanner: unknown): void;
  scan: ReturnType<LibraryHandle['func']>;
}

let library: NativeLibrary | null | undefined;

function loadLibrary(): NativeLibrary | null {
  if (library !== undefined) return library;
  library = null;
  if (process.env.ARMORKIT_AUDIT_NATIVE === '0' || !existsSync(LIBRARY)) return library;
  try {
    const lib = koffi.load(LIBRARY);
    library = {
      create: lib.func('void *armorkit_audit_scanner_new(void)') as () => unknown,
      free: lib.func('void armorkit_audit_scanner_free(void *scanner)') as (scanner: unknown) => void,
      scan: lib.func(
        'void armorkit_audit_scan(void *scanner, const uint8_t *buf, int32_t start, int32_t end, int32_t maxLine, int32_t *out, int32_t outCap, int32_t *news, int32_t newsCap, uint8_t *text, int32_t textCap, int32_t *result)',
      ),
    };
  } catch {
    library = null;
  }
  return library;
}

/** Frees the C table of a scanner dropped without `close()` (a decoder abandoned before `end()`). */
const orphans = new FinalizationRegistry<{ native: NativeLibrary; handle: unknown }>(({ native, handle }) => native.free(handle));

/** Offsets are int32 on the C side. */
const MAX_OFFSET = 0x7fffffff;

/** True when the native scanner can be used here. */
export function nativeAuditScannerAvailable(): boolean {
  return loadLibrary() !== null;
}

/** Buffer's own latin1 slice (what `toString('latin1', start, end)` calls after checking its arguments). */
const latin1 = (buffer: Buffer, start: number, end: number): string =>
  (buffer as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);

/** One scan call's output: the records of `buffer[start, stop)`. */
class ScanOutput {
  readonly ints = new Int32Array(OUT_INTS);
  readonly news = new Int32Array(NEWS_INTS);
  readonly result = new Int32Array(6);
  /** The texts the scan copied out because they are not interned: the stamps and unique values. */
  readonly textBytes = Buffer.allocUnsafe(TEXT_BYTES);
  buffer: Buffer = Buffer.alloc(0);
  /** Where `buffer` starts in the stream, and the number of the line before the call's first one. */
  offset = 0;
  linesBefore = 0;
  /** `textBytes` as a string, made once per call when first needed. */
  private text: string | undefined;

  /** Where the scan stopped (a line start). */
  get stop(): number {
    return this.result[0] as number;
  }
  get intCount(): number {
    return this.result[1] as number;
  }
  get newsCount(): number {
    return this.result[2] as number;
  }
  get lines(): number {
    return this.result[3] as number;
  }
  /** True when the native table started over before this call. */
  get reset(): boolean {
    return this.result[4] === 1;
  }

  /** Ready for a call over `buffer`, which starts at `offset` in the stream, after line `linesBefore`. */
  prepare(buffer: Buffer, offset: number, linesBefore: number): void {
    this.buffer = buffer;
    this.offset = offset;
    this.linesBefore = linesBefore;
    this.text = undefined;
  }

  /** Text `[start, end)` of the copied texts: slices of one string per call, which V8 makes without copying. */
  copied(start: number, end: number): string {
    this.text ??= latin1(this.textBytes, 0, this.result[5] as number);
    return this.text.slice(start, end);
  }
}

/** The reused view decoders read (AuditFields over one FIELDS record of a ScanOutput). */
class FieldsView implements AuditFields {
  type = '';
  nodeName = '';
  epoch = 0;
  count = 0;
  shape = -1;
  generation = 0;
  quotedValueHoldsEquals = false;
  private output!: ScanOutput;
  private header = 0;
  private first = 0;

  constructor(private readonly strings: string[]) {}

  at(output: ScanOutput, header: number): void {
    const ints = output.ints;
    this.output = output;
    this.header = header;
    this.first = header + HEADER_INTS;
    this.type = this.strings[ints[header + 3] as number] as string;
    const node = ints[header + 4] as number;
    this.nodeName = node < 0 ? '' : (this.strings[node] as string);
    this.epoch = wide(ints[header + 8] as number, ints[header + 9] as number);
    this.count = ints[header + 7] as number;
    this.shape = ints[header + 10] as number;
    this.quotedValueHoldsEquals = ((ints[header + 11] as number) & RECORD_QUOTED_EQUALS) !== 0;
  }

  auditID(): string {
    const ints = this.output.ints;
    return this.output.copied(ints[this.header + 5] as number, ints[this.header + 6] as number);
  }

  /** The native table started over: slot numbers (shapes) remembered until now mean nothing now. */
  forgetShapes(): void {
    this.generation += 1;
  }

  key(index: number): string {
    return this.strings[(this.output.ints[this.first + index * FIELD_INTS] as number) & SLOT_MASK] as string;
  }

  text(index: number): string {
    const ints = this.output.ints;
    const at = this.first + index * FIELD_INTS;
    const slot = ints[at + 1] as number;
    if (slot >= 0) return this.strings[slot] as string;
    // A decimal's text is the number's own (the scanner passes only those without leading zeros as numbers).
    if (((ints[at] as number) >>> 16) & FLAG_DECIMAL) return String(wide(ints[at + 2] as number, ints[at + 3] as number));
    return this.output.copied(ints[at + 2] as number, ints[at + 3] as number);
  }

  quoted(index: number): boolean {
    return (((this.output.ints[this.first + index * FIELD_INTS] as number) >>> 16) & FLAG_QUOTED) !== 0;
  }

  labelWords(index: number): boolean {
    return (((this.output.ints[this.first + index * FIELD_INTS] as number) >>> 16) & FLAG_LABEL_WORDS) !== 0;
  }

  decimal(index: number): number | undefined {
    const ints = this.output.ints;
    const at = this.first + index * FIELD_INTS;
    if ((((ints[at] as number) >>> 16) & FLAG_DECIMAL) === 0) return undefined;
    return wide(ints[at + 2] as number, ints[at + 3] as number);
  }

  line(): string {
    const ints = this.output.ints;
    return latin1(this.output.buffer, ints[this.header + 1] as number, ints[this.header + 2] as number);
  }
}

/**
 * What a scan's records are handed to: a line for the string decoders (`buffer[start, end)`), a fields view, or the
 * place of a line longer than AUDIT_LINE_MAX_BYTES (its number and first byte in the stream), which the C side skipped.
 */
export interface ScanVisitor {
  line(buffer: Buffer, start: number, end: number): void;
  fields(view: AuditFields): void;
  overLong(line: number, offset: number): void;
}

/**
 * One log's native scanner (its interned texts are the log's): scans complete lines, synchronously or on a libuv
 * thread, and hands their records to a visitor in order. Not for concurrent calls: one scan at a time.
 */
export class NativeAuditScanner {
  private readonly native: NativeLibrary;
  private handle: unknown;
  /** Interned texts by slot, as the C table announced them. */
  private readonly strings: string[] = [];
  private readonly view = new FieldsView(this.strings);
  /** Two outputs: one scanned on the thread while the other is handed out. */
  private readonly outputs = [new ScanOutput(), new ScanOutput()];
  private next = 0;
  /** Scanned by `scanAsync`, not yet visited. */
  private pending: ScanOutput | undefined;
  /** A scan is running on a libuv thread: the table must not be freed under it. */
  private running = false;
  private closing = false;
  /** Lines scanned so far (their records may still be held back), skipped ones and those counted by `countLine` included. */
  lines = 0;

  private constructor(native: NativeLibrary) {
    this.native = native;
    const handle = native.create();
    if (handle === null) throw new Error('armorkit audit scanner: out of memory');
    this.handle = handle;
    orphans.register(this, { native, handle }, this);
  }

  /** A scanner, or undefined when the native library is not available. */
  static create(): NativeAuditScanner | undefined {
    const native = loadLibrary();
    return native ? new NativeAuditScanner(native) : undefined;
  }

  /**
   * Scans `buffer[start, end)` (whole lines; `buffer` starts at `offset` in the stream) and visits its records, after
   * those `scanAsync` held back.
   */
  scan(buffer: Buffer, start: number, end: number, visitor: ScanVisitor, offset: number): void {
    this.checkIdle();
    this.flush(visitor);
    while (start < end) {
      const output = this.take();
      this.call(output, buffer, start, end, offset);
      this.visit(output, visitor);
      start = output.stop;
    }
  }

  /** Counts a line the caller skipped without scanning it (over-long across chunks); returns its number. */
  countLine(): number {
    this.lines += 1;
    return this.lines;
  }

  /**
   * The same, with the scanning of each piece on a libuv thread while the previous piece's records are visited here:
   * the two cores of a small node both work. The last piece's records are held back until the next call, `flush` or
   * `scan`, so that its scanning too overlaps work here; `buffer` must stay as it is until then.
   */
  async scanAsync(buffer: Buffer, start: number, end: number, visitor: ScanVisitor, offset: number, pieceBytes = 1 << 18): Promise<void> {
    this.checkIdle();
    while (start < end) {
      // The piece ends at a line break (or at `end`); the C side stops early when its output fills up.
      let pieceEnd = end;
      if (end - start > pieceBytes) {
        const lineBreak = buffer.indexOf(0x0a, start + pieceBytes);
        pieceEnd = lineBreak < 0 || lineBreak >= end ? end : lineBreak + 1;
      }
      const running = this.callAsync(this.take(), buffer, start, pieceEnd, offset);
      try {
        this.flush(visitor);
      } finally {
        // Even when a visitor threw, the running scan is waited for: its output is the next to be visited.
        this.pending = await running;
      }
      start = this.pending.stop;
    }
  }

  /** Visits the records `scanAsync` held back. */
  flush(visitor: ScanVisitor): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    this.visit(pending, visitor);
  }

  /** Frees the native table (once a running scan has finished); the scanner cannot be used afterwards. */
  close(): void {
    if (this.running) {
      this.closing = true;
      return;
    }
    if (this.handle !== undefined) {
      orphans.unregister(this);
      this.native.free(this.handle);
    }
    this.handle = undefined;
  }

  /** Refuses a call while a scan runs on a libuv thread: it would share the C table, and the outputs, with that scan. */
  checkIdle(): void {
    if (this.running) throw new Error('armorkit audit scanner: a scan is running (await each pushAsync before the next call)');
  }

  private take(): ScanOutput {
    const output = this.outputs[this.next] as ScanOutput;
    this.next ^= 1;
    return output;
  }

  private call(output: ScanOutput, buffer: Buffer, start: number, end: number, offset: number): void {
    if (this.handle === undefined || this.closing) throw new Error('armorkit audit scanner: used after close');
    if (end > MAX_OFFSET) throw new RangeError(`armorkit audit scanner: ${end} bytes in one piece (at most ${MAX_OFFSET})`);
    output.prepare(buffer, offset, this.lines);
    this.native.scan(this.handle, buffer, start, end, AUDIT_LINE_MAX_BYTES, output.ints, OUT_INTS, output.news, NEWS_INTS, output.textBytes, TEXT_BYTES, output.result);
    this.lines += output.lines;
  }

  private callAsync(output: ScanOutput, buffer: Buffer, start: number, end: number, offset: number): Promise<ScanOutput> {
    if (this.handle === undefined || this.closing) return Promise.reject(new Error('armorkit audit scanner: used after close'));
    if (end > MAX_OFFSET) return Promise.reject(new RangeError(`armorkit audit scanner: ${end} bytes in one piece (at most ${MAX_OFFSET})`));
    output.prepare(buffer, offset, this.lines);
    this.running = true;
    return new Promise((resolve, reject) => {
      this.native.scan.async(this.handle, buffer, start, end, AUDIT_LINE_MAX_BYTES, output.ints, OUT_INTS, output.news, NEWS_INTS, output.textBytes, TEXT_BYTES, output.result, (error: unknown) => {
        this.running = false;
        if (this.closing) {
          this.closing = false;
          this.close();
        }
        if (error) reject(error as Error);
        else {
          this.lines += output.lines;
          resolve(output);
        }
      });
    });
  }

  private visit(output: ScanOutput, visitor: ScanVisitor): void {
    const { ints, news, buffer } = output;
    const strings = this.strings;
    if (output.reset) this.view.forgetShapes();
    // Interned texts live as long as the scanner (and in decoders' caches): their own copies, not slices of the call's text.
    for (let i = 0, count = output.newsCount; i < count; i += 3) {
      strings[news[i] as number] = latin1(buffer, news[i + 1] as number, news[i + 2] as number);
    }
    const view = this.view;
    for (let at = 0, count = output.intCount; at < count; ) {
      const kind = ints[at];
      if (kind === RECORD_LINE) {
        visitor.line(buffer, ints[at + 1] as number, ints[at + 2] as number);
        at += HEADER_INTS;
        continue;
      }
      if (kind === RECORD_OVER_LONG) {
        visitor.overLong(output.linesBefore + (ints[at + 3] as number) + 1, output.offset + (ints[at + 1] as number));
        at += HEADER_INTS;
        continue;
      }
      view.at(output, at);
      visitor.fields(view);
      at += HEADER_INTS + FIELD_INTS * view.count;
    }
  }
}

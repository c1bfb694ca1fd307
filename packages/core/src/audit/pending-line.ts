import { AUDIT_LINE_MAX_BYTES } from './over-long-line.js';

const IDLE = 0;
const KEPT = 1;
const SKIPPING = 2;
const EMPTY = Buffer.alloc(0);

/**
 * The unfinished last line of a chunk, waiting for the chunk that ends it. Its bytes are copied once into one buffer of
 * AUDIT_LINE_MAX_BYTES (copying the whole line again with every chunk made a line without a line break quadratic);
 * a line that grows past the cap is dropped there and the rest of it is skipped as it arrives, so memory stays the
 * same however long the line.
 */
export class PendingLine {
  private bytes: Buffer | undefined;
  private length = 0;
  private state = IDLE;
  /** Of the line's first byte, from the start of the stream. */
  offset = 0;

  /** A line is waiting (kept, or being skipped). */
  get waiting(): boolean {
    return this.state !== IDLE;
  }

  /** Starts a line at `offset` in the stream. */
  begin(offset: number): void {
    this.state = KEPT;
    this.length = 0;
    this.offset = offset;
  }

  /**
   * Adds `chunk[start, end)` (no line break in it) to the line. True when this takes the line past the cap: the caller
   * reports it (once: afterwards nothing more is kept or reported).
   */
  extend(chunk: Buffer, start: number, end: number): boolean {
    if (this.state !== KEPT) return false;
    const length = this.length + (end - start);
    if (length > AUDIT_LINE_MAX_BYTES) {
      this.state = SKIPPING;
      this.length = 0;
      return true;
    }
    this.bytes ??= Buffer.allocUnsafe(AUDIT_LINE_MAX_BYTES);
    chunk.copy(this.bytes, this.length, start, end);
    this.length = length;
    return false;
  }

  /** Ends the line: its bytes (valid until the next `begin`), or undefined when it was skipped or none was waiting. */
  take(): Buffer | undefined {
    const kept = this.state === KEPT ? (this.bytes ?? EMPTY).subarray(0, this.length) : undefined;
    this.state = IDLE;
    this.length = 0;
    return kept;
  }
}

// Where a message body ends, found without decoding it: the bytes are forwarded (or discarded) as they came, and the
// next message starts right after. Chunked bodies are checked as strictly as heads (RFC 9112 §7.1).
import { CR, FIELD_VALUE_CHAR, HTAB, LF, SP } from './http-token.js';
import type { BodyFraming } from './http-request-head.js';

export type BodyStep = { used: number; done: boolean } | { error: string };

const MAX_CHUNK_LINE = 4096;
const MAX_TRAILER_BYTES = 32 * 1024;
// 13 hex digits stay below 2^53, where a JavaScript number still counts bytes exactly.
const MAX_SIZE_DIGITS = 13;

const enum Chunk {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerLineStart,
  TrailerLine,
  TrailerLineLf,
  TrailerEndLf,
  Done,
}

/** Consumes one body's bytes; `step` tells how many of the given bytes belong to it and whether it has ended. */
export class BodyReader {
  private remaining: number;
  private state = Chunk.Size;
  private sizeDigits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;

  constructor(private readonly framing: BodyFraming) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
  }

  get done(): boolean {
    return this.framing.kind === 'length' ? this.remaining === 0 : this.state === Chunk.Done;
  }

  step(bytes: Uint8Array, from: number): BodyStep {
    if (this.framing.kind === 'length') {
      const used = Math.min(this.remaining, bytes.length - from);
      this.remaining -= used;
      return { used, done: this.remaining === 0 };
    }
    return this.stepChunked(bytes, from);
  }

  private stepChunked(bytes: Uint8Array, from: number): BodyStep {
    let at = from;
    while (at < bytes.length && this.state !== Chunk.Done) {
      const byte = bytes[at] ?? 0;
      switch (this.state) {
        case Chunk.Size: {
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (++this.sizeDigits > MAX_SIZE_DIGITS) return { error: 'a chunk size with too many digits' };
            this.remaining = this.remaining * 16 + digit;
          } else if (this.sizeDigits === 0) {
            return { error: 'a chunk without a hexadecimal size' };
          } else if (byte === 0x3b || byte === SP || byte === HTAB) {
            this.state = Chunk.Extension;
          } else if (byte === CR) {
            this.state = Chunk.SizeLf;
          } else {
            return { error: 'a chunk size followed by something other than an extension or CRLF' };
          }
          at++;
          break;
        }
        case Chunk.Extension:
          if (byte === CR) this.state = Chunk.SizeLf;
          else if (!FIELD_VALUE_CHAR[byte]) return { error: 'a control character in a chunk extension' };
          at++;
          break;
        case Chunk.SizeLf:
          if (byte !== LF) return { error: 'a chunk size line without CRLF' };
          at++;
          this.sizeDigits = 0;
          this.lineBytes = 0;
          this.state = this.remaining === 0 ? Chunk.TrailerLineStart : Chunk.Data;
          break;
        case Chunk.Data: {
          const used = Math.min(this.remaining, bytes.length - at);
          this.remaining -= used;
          at += used;
          if (this.remaining === 0) this.state = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (byte !== CR) return { error: 'chunk data longer than its size' };
          this.state = Chunk.DataLf;
          at++;
          break;
        case Chunk.DataLf:
          if (byte !== LF) return { error: 'chunk data not followed by CRLF' };
          this.state = Chunk.Size;
          at++;
          break;
        case Chunk.TrailerLineStart:
          if (byte === CR) this.state = Chunk.TrailerEndLf;
          else if (byte === SP || byte === HTAB) return { error: 'a trailer line starts with whitespace (obsolete line folding)' };
          else this.state = Chunk.TrailerLine;
          at++;
          break;
        case Chunk.TrailerLine:
          if (byte === CR) this.state = Chunk.TrailerLineLf;
          else if (!FIELD_VALUE_CHAR[byte]) return { error: 'a control character in a trailer field' };
          at++;
          break;
        case Chunk.TrailerLineLf:
        case Chunk.TrailerEndLf:
          if (byte !== LF) return { error: 'a bare CR in the trailer section' };
          this.state = this.state === Chunk.TrailerEndLf ? Chunk.Done : Chunk.TrailerLineStart;
          at++;
          break;
      }
      if (this.state === Chunk.Size || this.state === Chunk.Extension) {
        if (++this.lineBytes > MAX_CHUNK_LINE) return { error: `a chunk size line longer than ${MAX_CHUNK_LINE} bytes` };
      } else if (this.state >= Chunk.TrailerLineStart && this.state <= Chunk.TrailerEndLf) {
        if (++this.trailerBytes > MAX_TRAILER_BYTES) return { error: `a trailer section larger than ${MAX_TRAILER_BYTES} bytes` };
      }
    }
    return { used: at - from, done: this.state === Chunk.Done };
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

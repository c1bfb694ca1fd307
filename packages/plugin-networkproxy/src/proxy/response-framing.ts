// Where each response of an HTTP/1.1 connection ends, so that the proxy's own answers (403, 400) can be put between
// upstream responses in request order. The upstream's bytes are relayed unchanged; only heads are read (RFC 9112 §6.3).
import { BodyReader } from './body-framing.js';
import { COLON, CR, LF, listElements } from './http-token.js';

export type ResponseStep =
  /** `used` bytes belong to the current response; `completed` when it ended with them. */
  | { used: number; completed: boolean }
  /** From here on the bytes are an opaque tunnel (101 Switching Protocols, or 2xx to CONNECT). */
  | { used: number; tunnel: true }
  | { error: string };

const MAX_RESPONSE_HEAD = 64 * 1024;

/** Tracks the responses to the requests forwarded on one upstream connection, in order. */
export class ResponseFraming {
  private readonly methods: string[] = [];
  private head: Buffer[] = [];
  private headLength = 0;
  private body: BodyReader | undefined;
  /** The response is delimited by the upstream closing: everything after is its body. */
  private untilClose = false;
  /** The framing fields of the last head read: Content-Length (-1: none), the transfer codings (undefined: none). */
  private contentLength = -1;
  private transferCodings: string[] | undefined;

  /** A request was forwarded: a response to `method` will come. */
  expect(method: string): void {
    this.methods.push(method);
  }

  /** Responses still owed (the current one included). */
  get outstanding(): number {
    return this.methods.length;
  }

  /** True when the upstream's close ends the current response (no length): it is then complete, not cut. */
  get endsAtClose(): boolean {
    return this.untilClose;
  }

  step(bytes: Buffer, from: number): ResponseStep {
    if (this.untilClose) return { used: bytes.length - from, completed: false };
    if (this.body) {
      const step = this.body.step(bytes, from);
      if ('error' in step) return step;
      if (step.done) this.finish();
      return { used: step.used, completed: step.done };
    }
    return this.stepHead(bytes, from);
  }

  private stepHead(bytes: Buffer, from: number): ResponseStep {
    // The head is usually whole in one chunk: read in place. Otherwise keep what the head needs until its end comes.
    const previous = this.headLength;
    let head = bytes;
    let headStart = from;
    let end: number;
    if (previous === 0) {
      end = headEnd(bytes, from);
    } else {
      head = Buffer.concat([...this.head, bytes.subarray(from)]);
      headStart = 0;
      end = headEnd(head, Math.max(0, previous - 3));
    }
    if (end < 0) {
      // A copy: the chunk may be a read buffer used again for the next read (reusedReadBuffer).
      const partial = previous === 0 ? Buffer.from(bytes.subarray(from)) : head;
      if (partial.length > MAX_RESPONSE_HEAD) return { error: `a response head larger than ${MAX_RESPONSE_HEAD} bytes` };
      this.head = [partial];
      this.headLength = partial.length;
      return { used: bytes.length - from, completed: false };
    }
    const used = end - headStart - previous;
    this.head = [];
    this.headLength = 0;
    const parsed = this.readResponseHead(head, headStart, end);
    if (typeof parsed === 'string') return { error: parsed };
    const method = this.methods[0];
    if (method === undefined) {
      // A response nobody asked for (an upstream's 408 before it closes): relay it and whatever follows.
      this.untilClose = true;
      return { used, completed: false };
    }
    const status = parsed;
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
      this.methods.shift();
      return { used, tunnel: true };
    }
    if (status < 200) return { used, completed: false };
    if (method === 'HEAD' || status === 204 || status === 304) {
      this.finish();
      return { used, completed: true };
    }
    if (this.transferCodings !== undefined && this.transferCodings.length > 0) {
      if (this.transferCodings[this.transferCodings.length - 1] === 'chunked') this.body = new BodyReader({ kind: 'chunked' });
      else this.untilClose = true;
    } else if (this.contentLength >= 0) {
      if (this.contentLength > 0) this.body = new BodyReader({ kind: 'length', length: this.contentLength });
    } else {
      this.untilClose = true;
    }
    if (!this.body && !this.untilClose) {
      this.finish();
      return { used, completed: true };
    }
    return { used, completed: false };
  }

  /**
   * The status of the head in `bytes[from, to)` (which ends with its empty line), its framing fields noted in
   * `contentLength` and `transferCodings`; an error's text when its framing is ambiguous. Read in place: only a
   * Transfer-Encoding value becomes a string (a response head is read for every response).
   */
  private readResponseHead(bytes: Buffer, from: number, to: number): number | string {
    this.contentLength = -1;
    this.transferCodings = undefined;
    const lineEnd = bytes.indexOf(CR, from);
    if (lineEnd < 0 || lineEnd >= to || !isStatusLine(bytes, from, lineEnd)) return 'the upstream sent something other than an HTTP/1.x status line';
    if (bytes.indexOf(LF, from) !== lineEnd + 1) return 'a bare line ending in the response head';
    const status = (bytes[from + 9]! - 0x30) * 100 + (bytes[from + 10]! - 0x30) * 10 + (bytes[from + 11]! - 0x30);
    for (let at = lineEnd + 2; at < to; ) {
      // One field line: its end, its colon; a bare LF or CR anywhere refuses the head.
      let end = at;
      let colon = -1;
      for (; end < to; end++) {
        const byte = bytes[end]!;
        if (byte === CR) break;
        if (byte === LF) return 'a bare line ending in the response head';
        if (byte === COLON && colon < 0) colon = end;
      }
      if (end + 1 >= to || bytes[end + 1] !== LF) return 'a bare line ending in the response head';
      if (end === at) break;
      if (colon <= at) return 'a response field without a name';
      if (nameIs(bytes, at, colon, TRANSFER_ENCODING)) {
        (this.transferCodings ??= []).push(...listElements(bytes.toString('latin1', colon + 1, end)));
      } else if (nameIs(bytes, at, colon, CONTENT_LENGTH)) {
        const length = decimalValue(bytes, colon + 1, end);
        if (length < 0 || (this.contentLength >= 0 && this.contentLength !== length)) return 'an invalid or conflicting Content-Length in the response';
        this.contentLength = length;
      }
      at = end + 2;
    }
    return status;
  }

  private finish(): void {
    this.methods.shift();
    this.body = undefined;
  }
}

/** Index just past the CRLFCRLF that ends a head, searching from `from`; -1 when it has not come yet. */
function headEnd(bytes: Buffer, from: number): number {
  for (let at = bytes.indexOf(CR, from); at >= 0 && at + 3 < bytes.length; at = bytes.indexOf(CR, at + 1)) {
    if (bytes[at + 1] === LF && bytes[at + 2] === CR && bytes[at + 3] === LF) return at + 4;
  }
  return -1;
}

const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const HTTP_1 = 'HTTP/1.';

/** True when `bytes[from, from + name.length)` is `name` (lower case) in any case. */
function nameIs(bytes: Buffer, from: number, end: number, name: Buffer): boolean {
  if (end - from !== name.length) return false;
  for (let index = 0; index < name.length; index++) {
    // ASCII letters only differ by 0x20 between cases; the names compared here have no other bytes that do.
    if (((bytes[from + index] ?? 0) | 0x20) !== name[index]) return false;
  }
  return true;
}

/** `HTTP/1.0` or `HTTP/1.1`, SP, a status code from 100 to 999, then SP or the line's end (RFC 9112 §4). */
function isStatusLine(bytes: Buffer, from: number, lineEnd: number): boolean {
  if (lineEnd - from < 12) return false;
  for (let index = 0; index < 7; index++) if (bytes[from + index] !== HTTP_1.charCodeAt(index)) return false;
  const minor = bytes[from + 7];
  if ((minor !== 0x30 && minor !== 0x31) || bytes[from + 8] !== 0x20) return false;
  const first = bytes[from + 9]!;
  if (first < 0x31 || first > 0x39 || !isDigit(bytes[from + 10]!) || !isDigit(bytes[from + 11]!)) return false;
  return lineEnd === from + 12 || bytes[from + 12] === 0x20;
}

/** A Content-Length value (OWS around it) of 1 to 15 digits; -1 for anything else. */
function decimalValue(bytes: Buffer, from: number, to: number): number {
  let first = from;
  let last = to;
  while (first < last && (bytes[first] === 0x20 || bytes[first] === 0x09)) first++;
  while (last > first && (bytes[last - 1] === 0x20 || bytes[last - 1] === 0x09)) last--;
  if (last === first || last - first > 15) return -1;
  let value = 0;
  for (let at = first; at < last; at++) {
    const byte = bytes[at]!;
    if (!isDigit(byte)) return -1;
    value = value * 10 + byte - 0x30;
  }
  return value;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

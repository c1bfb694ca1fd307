// Where each response of an HTTP/1.1 connection ends, so that the proxy's own answers (403, 400) can be put between
// upstream responses in request order. The upstream's bytes are relayed unchanged; only heads are read (RFC 9112 §6.3).
import { BodyReader } from './body-framing.js';
import { CR, LF, listElements } from './http-token.js';

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
    // Find the end of the head in what is buffered plus these bytes; keep only what the head needs.
    const previous = this.headLength;
    const joined = previous === 0 ? bytes.subarray(from) : Buffer.concat([...this.head, bytes.subarray(from)]);
    const end = headEnd(joined, Math.max(0, previous - 3));
    if (end < 0) {
      if (joined.length > MAX_RESPONSE_HEAD) return { error: `a response head larger than ${MAX_RESPONSE_HEAD} bytes` };
      this.head = [joined];
      this.headLength = joined.length;
      return { used: bytes.length - from, completed: false };
    }
    const used = end - previous;
    this.head = [];
    this.headLength = 0;
    const parsed = readResponseHead(joined.subarray(0, end));
    if ('error' in parsed) return parsed;
    const method = this.methods[0];
    if (method === undefined) {
      // A response nobody asked for (an upstream's 408 before it closes): relay it and whatever follows.
      this.untilClose = true;
      return { used, completed: false };
    }
    const { status } = parsed;
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
      this.methods.shift();
      return { used, tunnel: true };
    }
    if (status < 200) return { used, completed: false };
    if (method === 'HEAD' || status === 204 || status === 304) {
      this.finish();
      return { used, completed: true };
    }
    if (parsed.transferCodings.length > 0) {
      if (parsed.transferCodings[parsed.transferCodings.length - 1] === 'chunked') this.body = new BodyReader({ kind: 'chunked' });
      else this.untilClose = true;
    } else if (parsed.contentLength !== undefined) {
      this.body = new BodyReader({ kind: 'length', length: parsed.contentLength });
    } else {
      this.untilClose = true;
    }
    if (this.body?.done) {
      this.finish();
      return { used, completed: true };
    }
    return { used, completed: false };
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

interface ResponseHead {
  status: number;
  contentLength?: number;
  transferCodings: string[];
}

const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');

/** True when `bytes[from, from + name.length)` is `name` (lower case) in any case. */
function nameIs(bytes: Buffer, from: number, end: number, name: Buffer): boolean {
  if (end - from !== name.length) return false;
  for (let index = 0; index < name.length; index++) {
    // ASCII letters only differ by 0x20 between cases; the names compared here have no other bytes that do.
    if (((bytes[from + index] ?? 0) | 0x20) !== name[index]) return false;
  }
  return true;
}

/**
 * The status and the framing fields of a response head; an error when its framing is ambiguous. Read in place: only
 * the status line and the two framing fields become strings (a response head is read for every response).
 */
function readResponseHead(head: Buffer): ResponseHead | { error: string } {
  const lineEnd = head.indexOf(CR);
  const statusLine = /^HTTP\/1\.[01] ([1-9][0-9]{2})(?: |$)/.exec(head.toString('latin1', 0, Math.max(0, Math.min(lineEnd, 64))));
  if (lineEnd < 0 || !statusLine) return { error: 'the upstream sent something other than an HTTP/1.x status line' };
  const transferCodings: string[] = [];
  let contentLength: number | undefined;
  for (let at = lineEnd + 2; at < head.length; ) {
    const end = head.indexOf(CR, at);
    if (end < 0 || head[end + 1] !== LF) return { error: 'a bare line ending in the response head' };
    if (end === at) break;
    const line = head.subarray(at, end);
    if (line.includes(LF)) return { error: 'a bare line ending in the response head' };
    const colon = line.indexOf(0x3a);
    if (colon <= 0) return { error: 'a response field without a name' };
    if (nameIs(line, 0, colon, TRANSFER_ENCODING)) {
      transferCodings.push(...listElements(line.toString('latin1', colon + 1)));
    } else if (nameIs(line, 0, colon, CONTENT_LENGTH)) {
      const value = line.toString('latin1', colon + 1).trim();
      if (!/^[0-9]{1,15}$/.test(value) || (contentLength !== undefined && contentLength !== Number(value))) return { error: 'an invalid or conflicting Content-Length in the response' };
      contentLength = Number(value);
    }
    at = end + 2;
  }
  return { status: Number(statusLine[1]), transferCodings, ...(contentLength !== undefined && { contentLength }) };
}

// An HTTP/1.x request head read strictly (RFC 9112), incrementally from a connection's buffered bytes. Whatever two
// parsers could read differently (the proxy and the upstream) is refused: that is where request smuggling lives.
import { COLON, CR, FIELD_VALUE_CHAR, HTAB, LF, listElements, SP, TARGET_CHAR, TOKEN_CHAR } from './http-token.js';

export interface HeadLimits {
  /** Bytes of request line and fields together. */
  maxHeadBytes: number;
  maxHeaderCount: number;
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = { maxHeadBytes: 32 * 1024, maxHeaderCount: 100 };

/** How the message body is delimited. */
export type BodyFraming = { kind: 'length'; length: number } | { kind: 'chunked' };

export interface RequestHead {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: 0 | 1;
  /** Names lower-cased, in order; values without surrounding whitespace. */
  headers: Array<[string, string]>;
  /** The Host field's value (absent only for HTTP/1.0 without one). */
  host?: string;
  framing: BodyFraming;
  /** The connection may carry another request after this one (HTTP/1.1 without `close`, 1.0 with `keep-alive`). */
  keepAlive: boolean;
  /** An Upgrade (with the `upgrade` connection option) or a CONNECT: bytes after the head wait for the response. */
  upgrade: boolean;
  /** Bytes of the head in the buffer, from the first byte of the request line to the empty line's LF included. */
  headBytes: number;
  /** Bytes of the request line, CRLF included (where the forwarded head may differ from the received one). */
  requestLineBytes: number;
}

export type RequestHeadResult =
  | { kind: 'more' }
  | { kind: 'error'; status: 400 | 431 | 501 | 505; reason: string }
  | { kind: 'head'; head: RequestHead };

const MAX_METHOD = 32;
const MAX_LENGTH_DIGITS = 15;

/** Parses the request head starting at `start` in `bytes`. Leading empty lines (RFC 9112 §2.2) are not accepted. */
export function parseRequestHead(bytes: Uint8Array, start = 0, limits: HeadLimits = DEFAULT_HEAD_LIMITS): RequestHeadResult {
  const error = (status: 400 | 431 | 501 | 505, reason: string): RequestHeadResult => ({ kind: 'error', status, reason });
  const end = Math.min(bytes.length, start + limits.maxHeadBytes);
  const tooLarge = bytes.length - start >= limits.maxHeadBytes;
  const cut = (): RequestHeadResult => (tooLarge ? error(431, `the request head is larger than ${limits.maxHeadBytes} bytes`) : { kind: 'more' });

  // Request line: method SP request-target SP HTTP-version CRLF.
  let at = start;
  while (at < end && TOKEN_CHAR[bytes[at] ?? 0]) at++;
  if (at === end) return at - start > MAX_METHOD ? error(400, 'the method is too long') : cut();
  if (at === start || bytes[at] !== SP) return error(400, 'the request line does not start with a method and a space');
  if (at - start > MAX_METHOD) return error(400, 'the method is too long');
  const method = latin1(bytes, start, at);
  const targetStart = ++at;
  while (at < end && TARGET_CHAR[bytes[at] ?? 0]) at++;
  if (at === end) return cut();
  if (at === targetStart || bytes[at] !== SP) return error(400, 'the request target is empty or holds a space, a control or a non-ASCII byte');
  const target = latin1(bytes, targetStart, at);
  const versionStart = ++at;
  if (end - versionStart < 10) {
    if (!prefixOf(bytes, versionStart, end, 'HTTP/')) return error(400, 'the request line does not end with an HTTP version');
    return cut();
  }
  if (!prefixOf(bytes, versionStart, versionStart + 5, 'HTTP/') || !isDigit(bytes[versionStart + 5]) || bytes[versionStart + 6] !== 0x2e || !isDigit(bytes[versionStart + 7])) {
    return error(400, 'the request line does not end with an HTTP version');
  }
  if (bytes[versionStart + 8] !== CR || bytes[versionStart + 9] !== LF) return error(400, 'the request line does not end with CRLF');
  if (bytes[versionStart + 5] !== 0x31 || (bytes[versionStart + 7] !== 0x30 && bytes[versionStart + 7] !== 0x31)) {
    return error(505, `HTTP/${String.fromCharCode(bytes[versionStart + 5] ?? 0)}.${String.fromCharCode(bytes[versionStart + 7] ?? 0)} is not HTTP/1.0 or HTTP/1.1`);
  }
  const minorVersion = bytes[versionStart + 7] === 0x31 ? 1 : 0;
  at = versionStart + 10;
  const requestLineBytes = at - start;

  // Fields: name ":" OWS value OWS CRLF, until an empty line.
  const headers: Array<[string, string]> = [];
  for (;;) {
    if (at >= end) return cut();
    if (bytes[at] === CR) {
      if (at + 1 >= end) return cut();
      if (bytes[at + 1] !== LF) return error(400, 'a bare CR in the request head');
      at += 2;
      break;
    }
    if (bytes[at] === SP || bytes[at] === HTAB) return error(400, 'a field line starts with whitespace (obsolete line folding)');
    if (headers.length >= limits.maxHeaderCount) return error(431, `more than ${limits.maxHeaderCount} header fields`);
    const nameStart = at;
    while (at < end && TOKEN_CHAR[bytes[at] ?? 0]) at++;
    if (at === end) return cut();
    if (at === nameStart || bytes[at] !== COLON) {
      return error(400, bytes[at] === LF || bytes[at] === CR ? 'a bare line ending or a field line without a colon' : 'a field name is not a token or is followed by whitespace');
    }
    const name = latin1(bytes, nameStart, at).toLowerCase();
    at++;
    while (at < end && (bytes[at] === SP || bytes[at] === HTAB)) at++;
    const valueStart = at;
    while (at < end && FIELD_VALUE_CHAR[bytes[at] ?? 0]) at++;
    if (at + 1 >= end) return cut();
    if (bytes[at] !== CR || bytes[at + 1] !== LF) {
      return error(400, bytes[at] === LF ? 'a bare LF in the request head' : bytes[at] === CR ? 'a bare CR in the request head' : `a control character in the value of ${name}`);
    }
    let valueEnd = at;
    while (valueEnd > valueStart && (bytes[valueEnd - 1] === SP || bytes[valueEnd - 1] === HTAB)) valueEnd--;
    headers.push([name, latin1(bytes, valueStart, valueEnd)]);
    at += 2;
  }
  const semantics = readSemantics(method, minorVersion, headers);
  if ('status' in semantics) return { kind: 'error', ...semantics };
  return {
    kind: 'head',
    head: { method, target, minorVersion, headers, ...semantics, headBytes: at - start, requestLineBytes },
  };
}

type Semantics = Pick<RequestHead, 'framing' | 'keepAlive' | 'upgrade'> & { host?: string };

/** Host, framing and connection options from the fields; a refusal when they are ambiguous. */
function readSemantics(method: string, minorVersion: 0 | 1, headers: Array<[string, string]>): Semantics | { status: 400 | 501; reason: string } {
  let host: string | undefined;
  let hostCount = 0;
  let contentLength: string | undefined;
  const transferCodings: string[] = [];
  let transferEncoding = false;
  const connection: string[] = [];
  let upgradeField = false;
  for (const [name, value] of headers) {
    if (name === 'host') {
      hostCount++;
      host = value;
    } else if (name === 'content-length') {
      if (contentLength !== undefined) return { status: 400, reason: 'two Content-Length fields' };
      contentLength = value;
    } else if (name === 'transfer-encoding') {
      transferEncoding = true;
      transferCodings.push(...listElements(value));
    } else if (name === 'connection') {
      connection.push(...listElements(value));
    } else if (name === 'upgrade') {
      upgradeField = true;
    }
  }
  if (hostCount > 1) return { status: 400, reason: 'two Host fields' };
  if (minorVersion === 1 && host === undefined) return { status: 400, reason: 'an HTTP/1.1 request without Host' };
  if (host !== undefined && !isHostField(host)) return { status: 400, reason: `the Host field ${JSON.stringify(host)} is not host[:port]` };
  let framing: BodyFraming = { kind: 'length', length: 0 };
  if (transferEncoding) {
    if (contentLength !== undefined) return { status: 400, reason: 'both Content-Length and Transfer-Encoding' };
    if (minorVersion === 0) return { status: 400, reason: 'Transfer-Encoding in an HTTP/1.0 request' };
    const chunkedAt = transferCodings.indexOf('chunked');
    if (chunkedAt < 0 || chunkedAt !== transferCodings.length - 1) return { status: 501, reason: 'a Transfer-Encoding whose last coding is not chunked' };
    if (transferCodings.some((coding) => !/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(coding))) return { status: 400, reason: 'a transfer coding that is not a token' };
    framing = { kind: 'chunked' };
  } else if (contentLength !== undefined) {
    if (!/^[0-9]+$/.test(contentLength) || contentLength.length > MAX_LENGTH_DIGITS) return { status: 400, reason: `Content-Length ${JSON.stringify(contentLength)} is not a decimal length` };
    framing = { kind: 'length', length: Number(contentLength) };
  }
  const close = connection.includes('close');
  const keepAlive = minorVersion === 1 ? !close : !close && connection.includes('keep-alive');
  const upgrade = method === 'CONNECT' || (upgradeField && connection.includes('upgrade'));
  return { ...(host !== undefined && { host }), framing, keepAlive, upgrade };
}

/** uri-host [":" port]: a reg-name, an IPv4 literal or a bracketed IPv6 literal; no userinfo, no path. */
function isHostField(value: string): boolean {
  return /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(?::[0-9]{0,5})?$/.test(value);
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** The bytes from..to are a prefix of `text` (or all of it). */
function prefixOf(bytes: Uint8Array, from: number, to: number, text: string): boolean {
  for (let index = 0; from + index < to && index < text.length; index++) {
    if (bytes[from + index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

// An HTTP/1.x request head read strictly (RFC 9112), incrementally from a connection's buffered bytes. Whatever two
// parsers could read differently (the proxy and the upstream) is refused: that is where request smuggling lives.
// Read in place: only the method, the target and the Host value become strings (a head is read for every request);
// the other fields are looked at as bytes, and listed as strings only when asked for (headerFields).
import { COLON, CR, FIELD_VALUE_CHAR, HTAB, LF, listElements, SP, TARGET_CHAR, TOKEN_CHAR } from './http-token.js';

export interface HeadLimits {
  /** Bytes of request line and fields together. */
  maxHeadBytes: number;
  maxHeaderCount: number;
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = { maxHeadBytes: 32 * 1024, maxHeaderCount: 100 };

/** How the message body is delimited. */
export type BodyFraming = { kind: 'length'; length: number } | { kind: 'chunked' };

/** The framing of a request without a body: shared, every head without a length or coding has it. */
export const NO_BODY: BodyFraming = Object.freeze({ kind: 'length', length: 0 });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });

export interface RequestHead {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: 0 | 1;
  /** The Host field's value without surrounding whitespace (undefined only for HTTP/1.0 without one). */
  host: string | undefined;
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

export type RequestHeadError = { kind: 'error'; status: 400 | 431 | 501 | 505; reason: string };
export type RequestHeadResult = { kind: 'more' } | RequestHeadError | { kind: 'head'; head: RequestHead };

const MORE: RequestHeadResult = Object.freeze({ kind: 'more' });
const MAX_METHOD = 32;
const MAX_LENGTH_DIGITS = 15;

// Connection options, as bits.
const CLOSE = 1;
const KEEP_ALIVE = 2;
const UPGRADE = 4;

const error = (status: 400 | 431 | 501 | 505, reason: string): RequestHeadError => ({ kind: 'error', status, reason });

/** Parses the request head starting at `start` in `bytes`. Leading empty lines (RFC 9112 §2.2) are not accepted. */
export function parseRequestHead(bytes: Buffer, start = 0, limits: HeadLimits = DEFAULT_HEAD_LIMITS): RequestHeadResult {
  const end = Math.min(bytes.length, start + limits.maxHeadBytes);
  const cut = (): RequestHeadResult => (bytes.length - start >= limits.maxHeadBytes ? error(431, `the request head is larger than ${limits.maxHeadBytes} bytes`) : MORE);

  // Request line: method SP request-target SP HTTP-version CRLF.
  let at = start;
  while (at < end && TOKEN_CHAR[bytes[at]!]) at++;
  if (at === end) return at - start > MAX_METHOD ? error(400, 'the method is too long') : cut();
  if (at === start || bytes[at] !== SP) return error(400, 'the request line does not start with a method and a space');
  if (at - start > MAX_METHOD) return error(400, 'the method is too long');
  const methodEnd = at;
  const targetStart = ++at;
  while (at < end && TARGET_CHAR[bytes[at]!]) at++;
  if (at === end) return cut();
  if (at === targetStart || bytes[at] !== SP) return error(400, 'the request target is empty or holds a space, a control or a non-ASCII byte');
  const targetEnd = at;
  const versionStart = ++at;
  if (end - versionStart < 10) {
    if (!prefixOf(bytes, versionStart, end, 'HTTP/')) return error(400, 'the request line does not end with an HTTP version');
    return cut();
  }
  if (!prefixOf(bytes, versionStart, versionStart + 5, 'HTTP/') || !isDigit(bytes[versionStart + 5]!) || bytes[versionStart + 6] !== 0x2e || !isDigit(bytes[versionStart + 7]!)) {
    return error(400, 'the request line does not end with an HTTP version');
  }
  if (bytes[versionStart + 8] !== CR || bytes[versionStart + 9] !== LF) return error(400, 'the request line does not end with CRLF');
  if (bytes[versionStart + 5] !== 0x31 || (bytes[versionStart + 7] !== 0x30 && bytes[versionStart + 7] !== 0x31)) {
    return error(505, `HTTP/${String.fromCharCode(bytes[versionStart + 5]!)}.${String.fromCharCode(bytes[versionStart + 7]!)} is not HTTP/1.0 or HTTP/1.1`);
  }
  const minorVersion = bytes[versionStart + 7] === 0x31 ? 1 : 0;
  at = versionStart + 10;
  const requestLineBytes = at - start;

  // Fields: name ":" OWS value OWS CRLF, until an empty line. The ones that frame the message are noted as offsets.
  let count = 0;
  let hostCount = 0;
  let hostStart = 0;
  let hostEnd = 0;
  let lengthCount = 0;
  let lengthStart = 0;
  let lengthEnd = 0;
  let transferCodings: string[] | undefined;
  let connection = 0;
  let upgradeField = false;
  for (;;) {
    if (at >= end) return cut();
    if (bytes[at] === CR) {
      if (at + 1 >= end) return cut();
      if (bytes[at + 1] !== LF) return error(400, 'a bare CR in the request head');
      at += 2;
      break;
    }
    if (bytes[at] === SP || bytes[at] === HTAB) return error(400, 'a field line starts with whitespace (obsolete line folding)');
    if (count >= limits.maxHeaderCount) return error(431, `more than ${limits.maxHeaderCount} header fields`);
    const nameStart = at;
    while (at < end && TOKEN_CHAR[bytes[at]!]) at++;
    if (at === end) return cut();
    if (at === nameStart || bytes[at] !== COLON) {
      return error(400, bytes[at] === LF || bytes[at] === CR ? 'a bare line ending or a field line without a colon' : 'a field name is not a token or is followed by whitespace');
    }
    const nameEnd = at;
    at++;
    while (at < end && (bytes[at] === SP || bytes[at] === HTAB)) at++;
    const valueStart = at;
    while (at < end && FIELD_VALUE_CHAR[bytes[at]!]) at++;
    if (at + 1 >= end) return cut();
    if (bytes[at] !== CR || bytes[at + 1] !== LF) {
      if (bytes[at] === LF) return error(400, 'a bare LF in the request head');
      if (bytes[at] === CR) return error(400, 'a bare CR in the request head');
      return error(400, `a control character in the value of ${bytes.toString('latin1', nameStart, nameEnd).toLowerCase()}`);
    }
    let valueEnd = at;
    while (valueEnd > valueStart && (bytes[valueEnd - 1] === SP || bytes[valueEnd - 1] === HTAB)) valueEnd--;
    at += 2;
    count++;
    switch (nameEnd - nameStart) {
      case 4:
        if (nameIs(bytes, nameStart, 'host')) {
          hostCount++;
          hostStart = valueStart;
          hostEnd = valueEnd;
        }
        break;
      case 7:
        if (nameIs(bytes, nameStart, 'upgrade')) upgradeField = true;
        break;
      case 10:
        if (nameIs(bytes, nameStart, 'connection')) connection |= connectionOptions(bytes, valueStart, valueEnd);
        break;
      case 14:
        if (nameIs(bytes, nameStart, 'content-length')) {
          lengthCount++;
          lengthStart = valueStart;
          lengthEnd = valueEnd;
        }
        break;
      case 17:
        if (nameIs(bytes, nameStart, 'transfer-encoding')) (transferCodings ??= []).push(...listElements(bytes.toString('latin1', valueStart, valueEnd)));
        break;
    }
  }

  // Host, framing and connection options; a refusal when they are ambiguous.
  if (lengthCount > 1) return error(400, 'two Content-Length fields');
  if (hostCount > 1) return error(400, 'two Host fields');
  if (minorVersion === 1 && hostCount === 0) return error(400, 'an HTTP/1.1 request without Host');
  const host = hostCount === 0 ? undefined : bytes.toString('latin1', hostStart, hostEnd);
  if (host !== undefined && !isHostField(bytes, hostStart, hostEnd)) return error(400, `the Host field ${JSON.stringify(host)} is not host[:port]`);
  let framing = NO_BODY;
  if (transferCodings !== undefined) {
    if (lengthCount > 0) return error(400, 'both Content-Length and Transfer-Encoding');
    if (minorVersion === 0) return error(400, 'Transfer-Encoding in an HTTP/1.0 request');
    const chunkedAt = transferCodings.indexOf('chunked');
    if (chunkedAt < 0 || chunkedAt !== transferCodings.length - 1) return error(501, 'a Transfer-Encoding whose last coding is not chunked');
    if (transferCodings.some((coding) => !/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(coding))) return error(400, 'a transfer coding that is not a token');
    framing = CHUNKED;
  } else if (lengthCount > 0) {
    const length = decimalLength(bytes, lengthStart, lengthEnd);
    if (length < 0) return error(400, `Content-Length ${JSON.stringify(bytes.toString('latin1', lengthStart, lengthEnd))} is not a decimal length`);
    if (length > 0) framing = { kind: 'length', length };
  }
  const close = (connection & CLOSE) !== 0;
  const head: RequestHead = {
    method: methodText(bytes, start, methodEnd),
    target: bytes.toString('latin1', targetStart, targetEnd),
    minorVersion,
    host,
    framing,
    keepAlive: minorVersion === 1 ? !close : !close && (connection & KEEP_ALIVE) !== 0,
    upgrade: false,
    headBytes: at - start,
    requestLineBytes,
  };
  head.upgrade = head.method === 'CONNECT' || (upgradeField && (connection & UPGRADE) !== 0);
  return { kind: 'head', head };
}

/**
 * Every field of a head parseRequestHead accepted (`head` from its first byte): names lower-cased, in order, values
 * without surrounding whitespace. For the proxy's own printing of a head (header mutations), not for the hot path.
 */
export function headerFields(head: Buffer): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  let at = head.indexOf(LF) + 1;
  while (at > 0 && at < head.length && head[at] !== CR) {
    const lineEnd = head.indexOf(CR, at);
    const colon = head.indexOf(COLON, at);
    let valueStart = colon + 1;
    while (valueStart < lineEnd && (head[valueStart] === SP || head[valueStart] === HTAB)) valueStart++;
    let valueEnd = lineEnd;
    while (valueEnd > valueStart && (head[valueEnd - 1] === SP || head[valueEnd - 1] === HTAB)) valueEnd--;
    fields.push([head.toString('latin1', at, colon).toLowerCase(), head.toString('latin1', valueStart, valueEnd)]);
    at = lineEnd + 2;
  }
  return fields;
}

/** The bytes at `from` are `name` (lower-case letters and `-`) in any case. The bytes are a token: only letters fold. */
function nameIs(bytes: Buffer, from: number, name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    if ((bytes[from + index]! | 0x20) !== name.charCodeAt(index)) return false;
  }
  return true;
}

const OPTION_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['close', CLOSE],
  ['keep-alive', KEEP_ALIVE],
  ['upgrade', UPGRADE],
];

/** The connection options among a Connection value's comma-separated elements (OWS around each), as bits. */
function connectionOptions(bytes: Buffer, from: number, to: number): number {
  let options = 0;
  let at = from;
  while (at <= to) {
    let elementEnd = at;
    while (elementEnd < to && bytes[elementEnd] !== 0x2c) elementEnd++;
    let first = at;
    let last = elementEnd;
    while (first < last && (bytes[first] === SP || bytes[first] === HTAB)) first++;
    while (last > first && (bytes[last - 1] === SP || bytes[last - 1] === HTAB)) last--;
    for (const [name, bit] of OPTION_NAMES) if (last - first === name.length && nameIs(bytes, first, name)) options |= bit;
    at = elementEnd + 1;
  }
  return options;
}

/** 1*DIGIT of at most MAX_LENGTH_DIGITS digits as a number; -1 when the bytes are anything else. */
function decimalLength(bytes: Buffer, from: number, to: number): number {
  if (to === from || to - from > MAX_LENGTH_DIGITS) return -1;
  let value = 0;
  for (let at = from; at < to; at++) {
    const byte = bytes[at]!;
    if (!isDigit(byte)) return -1;
    value = value * 10 + (byte - 0x30);
  }
  return value;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** The method's text; the registered methods as shared strings (compared by identity later, and not allocated). */
function methodText(bytes: Buffer, from: number, to: number): string {
  for (const method of METHODS) {
    if (method.length === to - from && prefixOf(bytes, from, to, method)) return method;
  }
  return bytes.toString('latin1', from, to);
}

function charTable(characters: string, ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const out = new Uint8Array(256);
  for (const character of characters) out[character.charCodeAt(0)] = 1;
  for (const [from, to] of ranges) out.fill(1, from, to + 1);
  return out;
}
/** reg-name (RFC 3986): unreserved, pct-encoded's characters and sub-delims. */
const REG_NAME_CHAR = charTable("-._~%!$&'()*+,;=", [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
]);
/** Inside the brackets of an IPv6 literal (its form is checked where it is used as an address). */
const IP_LITERAL_CHAR = charTable(':.', [
  [0x30, 0x39],
  [0x41, 0x46],
  [0x61, 0x66],
]);

/** uri-host [":" port]: a reg-name, an IPv4 literal or a bracketed IPv6 literal; no userinfo, no path. */
function isHostField(bytes: Buffer, from: number, to: number): boolean {
  let at = from;
  if (at < to && bytes[at] === 0x5b) {
    const literalStart = ++at;
    while (at < to && IP_LITERAL_CHAR[bytes[at]!]) at++;
    if (at === literalStart || at === to || bytes[at] !== 0x5d) return false;
    at++;
  } else {
    while (at < to && REG_NAME_CHAR[bytes[at]!]) at++;
    if (at === from) return false;
  }
  if (at === to) return true;
  if (bytes[at] !== COLON || to - at - 1 > 5) return false;
  for (at++; at < to; at++) if (!isDigit(bytes[at]!)) return false;
  return true;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** The bytes from..to are a prefix of `text` (or all of it). */
function prefixOf(bytes: Buffer, from: number, to: number, text: string): boolean {
  for (let index = 0; from + index < to && index < text.length; index++) {
    if (bytes[from + index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

// Which protocol a connection speaks, from the first bytes the client sent (what Envoy's tls_inspector and
// http_inspector do): a TLS handshake record, an HTTP/1.x request line, or anything else (L4 rules only).
import { looksLikeTls } from './client-hello.js';
import { SP, TARGET_CHAR } from './http-token.js';

export type DetectedProtocol = 'tls' | 'http' | 'tcp';

const MAX_METHOD = 32;
/** Past this many bytes of a request line the parser decides (and refuses a line that long). */
const MAX_SNIFF = 8 * 1024;
const VERSION = 'HTTP/';

/** The protocol, or undefined while the bytes so far fit more than one. */
export function detectProtocol(bytes: Uint8Array): DetectedProtocol | undefined {
  const tls = looksLikeTls(bytes);
  if (tls === undefined) return undefined;
  if (tls) return 'tls';
  return looksLikeHttp(bytes);
}

/** `METHOD SP target SP HTTP/`: upper-case method letters (every registered method), a visible-ASCII target. */
function looksLikeHttp(bytes: Uint8Array): DetectedProtocol | undefined {
  let at = 0;
  const end = Math.min(bytes.length, MAX_SNIFF);
  while (at < end && isMethodChar(bytes[at] ?? 0)) at++;
  if (at === end) return at > MAX_METHOD ? 'tcp' : end === MAX_SNIFF ? 'tcp' : undefined;
  if (at === 0 || at > MAX_METHOD || bytes[at] !== SP) return 'tcp';
  const targetStart = ++at;
  while (at < end && TARGET_CHAR[bytes[at] ?? 0]) at++;
  if (at === end) return end === MAX_SNIFF ? 'http' : undefined;
  if (at === targetStart || bytes[at] !== SP) return 'tcp';
  for (let index = 0; index < VERSION.length; index++) {
    if (at + 1 + index >= bytes.length) return undefined;
    if (bytes[at + 1 + index] !== VERSION.charCodeAt(index)) return 'tcp';
  }
  return 'http';
}

function isMethodChar(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || byte === 0x2d || byte === 0x5f;
}

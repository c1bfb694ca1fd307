// Header mutations on an intercepted request, for each HTTP version: the fields of each mutated name are dropped,
// then the mutation's value is set (Envoy's OVERWRITE_IF_EXISTS_OR_ADD).
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { forwardedHead, forwardedTarget } from '../forwarded-head.js';
import { headerFields, type RequestHead } from '../http-request-head.js';
import type { HeaderValue } from './mitm-runtime.js';

/**
 * The HTTP/1.1 head sent upstream: as forwardedHead when nothing is mutated (the received bytes, the target
 * normalized), else printed from the parsed head (request line with the judged target, the fields not mutated, then
 * the mutations), so no received byte can reinterpret what was set.
 */
export function mutatedHead(head: RequestHead, bytes: Buffer, headers: readonly HeaderValue[]): Buffer {
  if (headers.length === 0) return forwardedHead(head, bytes);
  const mutated = new Set(headers.map((header) => header.name));
  const lines = [`${head.method} ${forwardedTarget(head)} HTTP/1.${head.minorVersion}`];
  for (const [name, value] of headerFields(bytes)) if (!mutated.has(name)) lines.push(`${name}: ${value}`);
  for (const header of headers) lines.push(`${header.name}: ${header.value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** The HTTP/2 request headers sent upstream: the judged `:path`, the mutations applied. */
export function mutatedHttp2Headers(received: IncomingHttpHeaders, path: string, headers: readonly HeaderValue[]): OutgoingHttpHeaders {
  const method = received[':method'] ?? 'GET';
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(received)) if (value !== undefined) out[name] = value;
  out[':path'] = forwardedTarget({ method, target: path });
  for (const header of headers) out[header.name] = header.value;
  return out;
}

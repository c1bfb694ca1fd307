// The head sent upstream: the received one with its request target replaced by the path the rules judged, so the
// upstream cannot read a path differently from the decision (`/a/../admin`, `%2e%2e`, `//admin`).
import { normalizeRequestPath } from '../decision/request.js';
import type { RequestHead } from './http-request-head.js';

/** The origin-form target the rules saw: normalized path, the query as received; `*` and CONNECT's authority kept. */
export function forwardedTarget(head: Pick<RequestHead, 'method' | 'target'>): string {
  if (head.method === 'CONNECT' || head.target === '*') return head.target;
  const withoutFragment = head.target.split('#', 1)[0] ?? '';
  const query = withoutFragment.indexOf('?');
  return normalizeRequestPath(head.target) + (query >= 0 ? withoutFragment.slice(query) : '');
}

/** `bytes` is the whole received head; only the request line changes, and only when its target does. */
export function forwardedHead(head: RequestHead, bytes: Buffer): Buffer {
  const target = forwardedTarget(head);
  if (target === head.target) return bytes;
  const line = Buffer.from(`${head.method} ${target} HTTP/1.${head.minorVersion}\r\n`, 'latin1');
  return Buffer.concat([line, bytes.subarray(head.requestLineBytes)]);
}

// The head sent upstream: the received one with its request target replaced by the path the rules judged, so the
// upstream cannot read a path differently from the decision (`/a/../admin`, `%2e%2e`, `//admin`).
import { normalizeRequestPath } from '../decision/request.js';
import type { RequestHead } from './http-request-head.js';

/** The origin-form target the rules saw: normalized path, the query as received; `*` and CONNECT's authority kept. */
export function forwardedTarget(head: Pick<RequestHead, 'method' | 'target'>): string {
  const { target } = head;
  if (head.method === 'CONNECT' || target === '*') return target;
  const fragment = target.indexOf('#');
  const withoutFragment = fragment < 0 ? target : target.slice(0, fragment);
  const query = withoutFragment.indexOf('?');
  const path = normalizeRequestPath(target);
  // The usual case: the path was already normalized and there is no fragment, so the target is sent as received.
  if (fragment < 0 && path.length === (query < 0 ? target.length : query) && target.startsWith(path)) return target;
  return path + (query >= 0 ? withoutFragment.slice(query) : '');
}

/** `bytes` is the whole received head; only the request line changes, and only when its target does. */
export function forwardedHead(head: RequestHead, bytes: Buffer): Buffer {
  const target = forwardedTarget(head);
  if (target === head.target) return bytes;
  const line = Buffer.from(`${head.method} ${target} HTTP/1.${head.minorVersion}\r\n`, 'latin1');
  return Buffer.concat([line, bytes.subarray(head.requestLineBytes)]);
}

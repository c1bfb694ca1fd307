// How a request's names and path are read before rules see them: the same way for every request, so that writing a
// name or a path differently cannot step around a rule.

/** A TLS server name or a Host header's name: lower case, without a trailing dot, brackets or port. */
export function requestHostName(text: string | undefined, withPort: boolean): string | undefined {
  if (text === undefined) return undefined;
  let host = text.toLowerCase();
  if (withPort) {
    if (host.startsWith('[')) {
      const close = host.indexOf(']');
      if (close < 0) return undefined;
      host = host.slice(1, close);
    } else {
      const colon = host.indexOf(':');
      // One colon: name:port. More: an unbracketed IPv6 literal, taken whole.
      if (colon >= 0 && host.indexOf(':', colon + 1) < 0) host = host.slice(0, colon);
    }
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.length > 0 ? host : undefined;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The path a rule is matched against, as Envoy's HCM with vArmor's settings reads it (normalize_path, merge_slashes,
 * path_with_escaped_slashes_action UNESCAPE_AND_FORWARD): without query and fragment, the scheme and authority of an
 * absolute-form target dropped, escapes of unreserved characters and of `/` `\` decoded, `\` read as `/`, runs of
 * slashes merged and `.` / `..` segments resolved (RFC 3986 §5.2.4). The proxy forwards this path, not the raw one.
 */
export function normalizeRequestPath(target: string): string {
  const plain = plainPathLength(target);
  if (plain >= 0) return plain === target.length ? target : target.slice(0, plain);
  return normalizeFully(target);
}

/** normalizeRequestPath step by step, for any target (exported for the test of the shortcut). */
export function normalizeFully(target: string): string {
  let path = target;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(path);
  if (absolute) path = path.slice(absolute[0].length) || '/';
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  path = path.replace(/%([0-9A-Fa-f]{2})/g, (escape: string, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) || character === '/' || character === '\\' ? character : `%${hex.toUpperCase()}`;
  });
  path = path.replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  if (!path.startsWith('/')) path = `/${path}`;
  const output: string[] = [];
  const segments = path.slice(1).split('/');
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '.') {
      if (last) output.push('');
    } else if (segment === '..') {
      output.pop();
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  });
  return `/${output.join('/')}`;
}

/**
 * The length of the path of an origin-form target that normalizing leaves as it is (no escape, backslash, empty,
 * `.` or `..` segment), or -1: most requests' paths, read without the regular expressions and copies above.
 */
function plainPathLength(target: string): number {
  if (target.charCodeAt(0) !== 0x2f) return -1;
  let segmentStart = 1;
  for (let at = 1; at <= target.length; at++) {
    const code = at < target.length ? target.charCodeAt(at) : 0x3f;
    if (code === 0x25 || code === 0x5c) return -1;
    if (code !== 0x2f && code !== 0x3f && code !== 0x23) continue;
    const length = at - segmentStart;
    // An empty segment is `//` (a trailing slash, at the end, is kept as it is by the full reading too).
    if (code === 0x2f && length === 0) return -1;
    if ((length === 1 || length === 2) && target.charCodeAt(segmentStart) === 0x2e && (length === 1 || target.charCodeAt(segmentStart + 1) === 0x2e)) return -1;
    if (code !== 0x2f) return at;
    segmentStart = at + 1;
  }
  return -1;
}

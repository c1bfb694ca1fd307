// What a proxy configuration may carry in its strings. The same checks run when a policy compiles and when the proxy
// reads its file, so a hand-edited configuration cannot smuggle what a policy could not.

/** RFC 9110 token: HTTP methods and header names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A DNS name (labels of letters, digits, `-`, `_`), an IPv4 literal or an IPv6 literal (hex, `:`, `.`). */
const NAME = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;
const IPV6_LITERAL = /^[0-9a-f:.]+$/;
/** RFC 3986 path characters (pchar and `/`); the percent sign for escapes. */
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
/** RFC 9110 field-value: visible ASCII, obs-text, spaces and tabs inside; no CR, LF or NUL. */
// eslint-disable-next-line no-control-regex
const FIELD_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\x20\x09\x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

export function isHttpToken(value: string): boolean {
  return TOKEN.test(value);
}

/** Why `value` cannot be an HTTP method, or undefined. */
export function methodProblem(value: string): string | undefined {
  return isHttpToken(value) ? undefined : `method ${JSON.stringify(value)} is not an HTTP token (letters, digits and !#$%&'*+-.^_\`|~, no spaces)`;
}

/** Why `value` cannot be a header name, or undefined. */
export function headerNameProblem(value: string): string | undefined {
  return isHttpToken(value) ? undefined : `header name ${JSON.stringify(value)} is not an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`;
}

/**
 * Fields a header mutation may not set: they frame the message or steer the connection (a proxy that changed them
 * would desynchronise the upstream's reading of the stream from its own, or redirect the request).
 */
const UNMUTABLE_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** Why `value` cannot be the name of a header set by a mutation, or undefined. */
export function mutationHeaderProblem(value: string): string | undefined {
  const problem = headerNameProblem(value);
  if (problem) return problem;
  return UNMUTABLE_HEADERS.has(value.toLowerCase()) ? `header ${JSON.stringify(value)} frames the message or steers the connection; a header mutation cannot set it` : undefined;
}

/** Why `value` cannot be a header value, or undefined. */
export function headerValueProblem(value: string): string | undefined {
  return FIELD_VALUE.test(value) ? undefined : 'the header value has a control character (CR, LF, NUL, ...) or leading / trailing spaces';
}

/**
 * A host as the table holds it: lower case, no trailing dot, no brackets around an IPv6 literal. `*` is any host and
 * `*.suffix` any name under the suffix. Undefined when it is not a host name at all.
 */
export function normalizeHostPattern(text: string): string | undefined {
  let host = text.toLowerCase();
  if (host === '*') return host;
  const wildcard = host.startsWith('*.');
  if (wildcard) host = host.slice(2);
  if (host.startsWith('[') && host.endsWith(']') && !wildcard) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return undefined;
  if (!NAME.test(host) && (wildcard || !host.includes(':') || !IPV6_LITERAL.test(host))) return undefined;
  return wildcard ? `*.${host}` : host;
}

/** Why `text` cannot be a host of a rule, or undefined. */
export function hostProblem(text: string): string | undefined {
  return normalizeHostPattern(text) === undefined
    ? `host ${JSON.stringify(text)} is not a host name, an IP address, "*" or "*.suffix" (letters, digits, "-", "_" and dots only)`
    : undefined;
}

/** Why `text` cannot be a path (exact or prefix) of a rule, or undefined. */
export function pathProblem(text: string): string | undefined {
  return PATH.test(text) ? undefined : `path ${JSON.stringify(text)} must start with "/" and hold only URL path characters (no spaces, quotes or controls)`;
}

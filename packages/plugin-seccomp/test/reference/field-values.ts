// Number and string values read straight from the line, without slicing: most fields of a seccomp record are numbers.

const ZERO = 0x30;

/** The unsigned decimal in `line[start, end)`, or undefined (empty, a sign, or more than 2^53). */
export function decimalValue(line: string, start: number, end: number): number | undefined {
  if (start >= end || end - start > 15) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = line.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** The unsigned hex in `line[start, end)`, with or without `0x`, up to 32 bits (audit arch, seccomp return value). */
export function hexValue(line: string, start: number, end: number): number | undefined {
  if (end - start > 2 && line.charCodeAt(start) === ZERO && (line.charCodeAt(start + 1) | 0x20) === 0x78) start += 2;
  if (start >= end || end - start > 8) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = hexDigit(line.charCodeAt(i));
    if (digit < 0) return undefined;
    value = value * 16 + digit;
  }
  return value;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * A string field as the kernel logged it: quoted text as is; unquoted upper-case hex decoded (audit_log_untrustedstring
 * hex-encodes comm and exe when they hold spaces, quotes or control characters); anything else (`(null)`) as is.
 */
export function stringValue(line: string, start: number, end: number, quoted: boolean): string {
  const raw = line.slice(start, end);
  if (quoted || raw.length < 2 || raw.length % 2 !== 0) return raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) return raw;
  }
  return Buffer.from(raw, 'hex').toString('utf8');
}

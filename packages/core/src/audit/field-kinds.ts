// How a declared field's value is read (record-declaration.ts): the same readers for a line and for a record the
// native scanner split, so both give the same typed fields.

import { ZERO } from './audit-bytes.js';

/**
 * - `decimal`: an unsigned decimal of 1 to 15 digits, quoted or not (leading zeros allowed) → number;
 * - `hex`: an unsigned hex of up to 8 digits, with or without `0x` → number;
 * - `hex-text`: the same, kept as the text logged → string;
 * - `text`: the value as logged, without its quotes → string;
 * - `hex-or-quoted`: a string the kernel logs with audit_log_untrustedstring: quoted as is, or unquoted upper-case hex
 *   (names with spaces, quotes or control characters) decoded as UTF-8 → string;
 * - `integer`: unquoted, an optionally negative run of digits → number; anything else → its text (string).
 * A value that does not read as its kind (`decimal`, `hex`, `hex-text`) counts as absent: a later occurrence may give it.
 */
export type FieldKind = 'decimal' | 'hex' | 'hex-text' | 'text' | 'hex-or-quoted' | 'integer';

/** What each kind reads as. */
export interface FieldKindValues {
  decimal: number;
  hex: number;
  'hex-text': string;
  text: string;
  'hex-or-quoted': string;
  integer: number | string;
}

/** The unsigned decimal in `text[start, end)`, or undefined (empty, a sign, or more than 15 digits). */
export function decimalValue(text: string, start = 0, end = text.length): number | undefined {
  if (start >= end || end - start > 15) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** The unsigned hex in `text[start, end)`, with or without `0x`, up to 32 bits (audit arch, seccomp return value). */
export function hexValue(text: string, start = 0, end = text.length): number | undefined {
  if (end - start > 2 && text.charCodeAt(start) === ZERO && (text.charCodeAt(start + 1) | 0x20) === 0x78) start += 2;
  if (start >= end || end - start > 8) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = hexDigit(text.charCodeAt(i));
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

/** AppArmor and the audit subsystem write untrusted strings with spaces or quotes as upper-case hex (`2F746D702F61206220`). */
export function decodeHex(value: string): string | undefined {
  const length = value.length;
  if (length < 2 || length % 2 !== 0) return undefined;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) return undefined;
  }
  return Buffer.from(value, 'hex').toString('utf8');
}

function isInteger(text: string): boolean {
  const first = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (first === text.length) return false;
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Kinds as small numbers, for the readers' switch. */
export const KIND_CODES: Readonly<Record<FieldKind, number>> = { decimal: 0, hex: 1, 'hex-text': 2, text: 3, 'hex-or-quoted': 4, integer: 5 };

/** The fields of one record, however they were found: a line walked (record-line.ts) or the native scanner's split. */
export interface FieldList {
  readonly count: number;
  key(index: number): string;
  /** The value as logged, without its quotes. */
  text(index: number): string;
  quoted(index: number): boolean;
  /** The value when the native scanner read it as a canonical unquoted decimal; else undefined (read `text`). */
  decimal(index: number): number | undefined;
}

/** Field `index` of `fields` read as kind `code` (KIND_CODES); undefined when it does not read as that kind. */
export function readKind(code: number, fields: FieldList, index: number): FieldKindValues[FieldKind] | undefined {
  switch (code) {
    case 0:
      return fields.decimal(index) ?? decimalValue(fields.text(index));
    case 1:
      return hexValue(fields.text(index));
    case 2: {
      const value = fields.text(index);
      return hexValue(value) === undefined ? undefined : value;
    }
    case 3:
      return fields.text(index);
    case 4: {
      const value = fields.text(index);
      return fields.quoted(index) ? value : decodeHex(value) ?? value;
    }
    default: {
      if (fields.quoted(index)) return fields.text(index);
      const decimal = fields.decimal(index);
      if (decimal !== undefined) return decimal;
      const value = fields.text(index);
      return isInteger(value) ? Number(value) : value;
    }
  }
}

// RFC 9110 character classes, as lookup tables: the head parsers test every byte of every request against them.

function table(test: (byte: number) => boolean): Uint8Array {
  const out = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) out[byte] = test(byte) ? 1 : 0;
  return out;
}

const TCHAR_SYMBOLS = new Set("!#$%&'*+-.^_`|~".split('').map((character) => character.charCodeAt(0)));
/** tchar (RFC 9110 §5.6.2). */
export const TOKEN_CHAR = table(
  (byte) => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || TCHAR_SYMBOLS.has(byte),
);
/** field-vchar, SP and HTAB (RFC 9110 §5.5): obs-text allowed, every other control refused. */
export const FIELD_VALUE_CHAR = table((byte) => byte === 0x09 || (byte >= 0x20 && byte !== 0x7f));
/** A request-target's characters: visible ASCII only (RFC 9112 §3.2 and RFC 3986). */
export const TARGET_CHAR = table((byte) => byte >= 0x21 && byte <= 0x7e);

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;

/** The comma-separated elements of a list-valued field (RFC 9110 §5.6.1), lower-cased, empty elements dropped. */
export function listElements(value: string): string[] {
  return value
    .split(',')
    .map((element) => element.trim().toLowerCase())
    .filter((element) => element.length > 0);
}

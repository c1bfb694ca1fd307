/** Characters a bare word may hold (outside quotes and comments); anything else is refused where it appears. */
export const WORD_CHARACTER = /^[A-Za-z0-9_\-./*?[\]{}@+:~^%#]$/;

/** Characters a quoted string may hold: printable ASCII without `"` and `\` (no escapes exist in our grammar). */
export const QUOTED_CHARACTER = /^[\x20-\x7e]$/;

/**
 * Why a character may not appear anywhere in the text (comments included), or undefined. Control characters,
 * line separators and NUL make the two lexers count lines or end tokens differently.
 */
export function forbiddenAnywhere(character: string): string | undefined {
  const code = character.codePointAt(0) ?? 0;
  if (code === 0) return 'a null byte is not allowed';
  const control = code < 0x20 ? code !== 0x09 && code !== 0x0a : code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0x2028 || code === 0x2029 || code === 0xfeff;
  return control ? `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed` : undefined;
}

/** `U+00E9 "é"`, for messages about a character. */
export function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code > 0x20 && code < 0x7f ? JSON.stringify(character) : code > 0x7f ? `the non-ASCII character ${name} ${JSON.stringify(character)}` : name;
}

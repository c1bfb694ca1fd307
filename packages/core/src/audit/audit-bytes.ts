// The bytes that shape an audit record's text: what the record readers (record-line.ts, field-kinds.ts) compare.

export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const CARRIAGE_RETURN = 0x0d;
export const SPACE = 0x20;
export const QUOTE = 0x22;
export const OPEN_PAREN = 0x28;
export const CLOSE_PAREN = 0x29;
export const COLON = 0x3a;
export const EQUALS = 0x3d;
export const ZERO = 0x30;
export const CLOSE_BRACKET = 0x5d;
/** `^]`: the group separator as some tools print it. */
export const CARET = 0x5e;
/** auditd's ENRICHED log format puts 0x1d (group separator) before the interpreted fields. */
export const GROUP_SEPARATOR = 0x1d;

export const isBlank = (c: number): boolean => c === SPACE || c === TAB || c === GROUP_SEPARATOR;

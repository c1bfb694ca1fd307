// The bytes that shape an audit record's text, shared by the field cursor and the fixed-order reader.

export const SPACE = 0x20;
export const TAB = 0x09;
export const QUOTE = 0x22;
export const EQUALS = 0x3d;
export const OPEN_PAREN = 0x28;
export const CLOSE_PAREN = 0x29;
/** auditd's ENRICHED log format puts 0x1d (group separator) before the interpreted fields. */
export const GROUP_SEPARATOR = 0x1d;
/** `^]`: the group separator as some tools print it. */
export const CARET = 0x5e;
export const CLOSE_BRACKET = 0x5d;

export const isBlank = (c: number): boolean => c === SPACE || c === TAB || c === GROUP_SEPARATOR;

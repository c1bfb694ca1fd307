import { type Cursor, describeToken } from './cursor.js';
import type { Token } from './lexer.js';

/** A condition `key=value`, `key=(a, b)` or `key in (a, b)`; values with the token each came from. */
export interface Condition {
  key: string;
  keyToken: Token;
  operator: '=' | 'in';
  list: boolean;
  values: { text: string; token: Token }[];
}

/** Whether the cursor is at a condition (`key=` glued, or `key in (`). */
export function atCondition(cursor: Cursor): boolean {
  const key = cursor.peek();
  const after = cursor.peek(1);
  if (key?.kind !== 'word' || !after) return false;
  // `key in (` on one line: apparmor_parser refuses a line break there.
  const open = cursor.peek(2);
  return (after.kind === 'equals' && !after.spaced) || (after.kind === 'word' && after.text === 'in' && open?.kind === 'open' && after.line === key.line && open.line === key.line);
}

/** `peer=(`, all glued: the list condition of unix and dbus rules. */
export function atPeerList(cursor: Cursor): boolean {
  const equals = cursor.peek(1);
  const open = cursor.peek(2);
  return cursor.isWord('peer') && equals?.kind === 'equals' && !equals.spaced && open?.kind === 'open' && !open.spaced;
}

/** Reads one condition; `=` is glued to its key and its value, as `key=value`. */
export function readCondition(cursor: Cursor): Condition {
  const keyToken = cursor.next() as Token;
  const operatorToken = cursor.next() as Token;
  const operator = operatorToken.kind === 'equals' ? '=' : 'in';
  const first = cursor.peek();
  if (operator === '=' && (!first || first.spaced)) cursor.fail(`"${keyToken.text}=" needs its value right after the "="`, first);
  if (first?.kind === 'open') return { key: keyToken.text, keyToken, operator, list: true, values: readList(cursor, keyToken.text) };
  const value = cursor.value(`the value of "${keyToken.text}="`);
  return { key: keyToken.text, keyToken, operator, list: false, values: [value] };
}

/** `(a, b c)`: words or quoted strings, separated by commas or blanks. */
export function readList(cursor: Cursor, what: string): { text: string; token: Token }[] {
  const open = cursor.next() as Token;
  const values: { text: string; token: Token }[] = [];
  for (;;) {
    const token = cursor.next();
    if (!token) cursor.fail(`the list of ${what} is not closed`, open);
    if (token.kind === 'close') break;
    if (token.kind === 'separator') continue;
    if (token.kind !== 'word' && token.kind !== 'quoted') cursor.fail(`unexpected ${describeToken(token)} in the list of ${what}`, token);
    values.push({ text: token.text, token });
  }
  if (values.length === 0) cursor.fail(`the list of ${what} is empty`, open);
  return values;
}

/** `peer=(label=x, addr=y)`: `key=value` pairs in parentheses. */
export function readPairList(cursor: Cursor, what: string): Map<string, { text: string; token: Token }> {
  const open = cursor.next() as Token;
  const pairs = new Map<string, { text: string; token: Token }>();
  for (;;) {
    const token = cursor.next();
    if (!token) cursor.fail(`the list of ${what} is not closed`, open);
    if (token.kind === 'close') break;
    if (token.kind === 'separator') continue;
    const equals = cursor.next();
    const value = cursor.peek();
    if (token.kind !== 'word' || equals?.kind !== 'equals' || equals.spaced || !value || value.spaced || (value.kind !== 'word' && value.kind !== 'quoted')) {
      cursor.fail(`${what} holds key=value pairs (found ${describeToken(token)})`, token);
    }
    cursor.next();
    if (pairs.has(token.text)) cursor.fail(`"${token.text}=" is given twice in ${what}`, token);
    pairs.set(token.text, { text: value.text, token: value });
  }
  if (pairs.size === 0) cursor.fail(`${what} is empty`, open);
  return pairs;
}

/** Values sorted, each once. */
export function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

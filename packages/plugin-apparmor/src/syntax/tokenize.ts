// One tokenizer for AppArmor policy text, following apparmor_parser's lexer (parser/parser_lex.l) where it decides
// what is one token, where a rule ends and what is a comment. Where the lexer's behaviour depends on state this
// tokenizer does not model, it is stricter: the text is refused, never read differently. Callers refuse any input
// with an error, so a difference can only reject a policy, not let one through.

export type TokenKind =
  | 'word' // [A-Za-z0-9_]+ : keywords, qualifiers, permissions, capability names
  | 'path' // a label starting with "/" or "@{VAR}" (may hold {a,b} alternations and their commas)
  | 'label' // a label starting with ":" or "&"
  | 'variable' // @{VAR} or @VAR on its own
  | 'string' // "..." (value: the text between the quotes)
  | 'value' // what follows "=" or names a profile: the lexer's IDS
  | 'group' // ( ... ), items in `items`
  | 'angle' // <...> after abi
  | 'comma'
  | 'open'
  | 'close'
  | 'arrow'
  | 'equals'
  | 'add-assign'
  | 'caret'
  | 'include'
  | 'comment'
  | 'other';

export interface Token {
  kind: TokenKind;
  /** The token's text as written. */
  text: string;
  /** For strings, the text between the quotes; for includes, the target as written (`<abstractions/base>`). */
  value: string;
  /** For groups, the items between the parentheses. */
  items: string[];
  /** For includes: `include if exists`. */
  ifExists: boolean;
  /** 1-based line and 0-based column of the token's first character. */
  line: number;
  column: number;
}

export type TokenizeResult = { tokens: Token[]; error?: undefined } | { tokens?: undefined; error: { line: number; message: string } };

/** Characters that end a label or IDS token in the lexer (ID_CHARS is their complement). */
const ID_STOP = new Set([' ', '\t', '\r', '\n', '"', '!', ',']);
/** `\` + one of these is one character of a label (`\ `, `\t`, `\"`, `\!`, `\,`). */
const ID_ESCAPED = new Set([' ', '\t', '"', '!', ',']);
const WORD_CHAR = /[A-Za-z0-9_]/;
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]/;

export const isIdChar = (c: string | undefined): boolean => c !== undefined && !ID_STOP.has(c);

/** A message for the first character apparmor_parser would not read as we do (NUL, CR, other control characters). */
export function forbiddenCharacter(line: string): string | undefined {
  const found = FORBIDDEN_CHARACTER.exec(line);
  if (!found) return undefined;
  const code = found[0].codePointAt(0) ?? 0;
  return code === 0 ? 'null byte' : `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

class TokenizeError {
  constructor(
    readonly line: number,
    readonly message: string,
  ) {}
}

export function tokenize(text: string): TokenizeResult {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const bad = forbiddenCharacter(line);
    if (bad) return { error: { line: i + 1, message: bad } };
    if (line.includes('{{') || line.includes('}}')) return { error: { line: i + 1, message: 'template syntax ("{{" or "}}") is not allowed' } };
    if (/\\$/.test(line.trimEnd())) return { error: { line: i + 1, message: 'a line may not end with a backslash (line continuation or an escaped blank)' } };
  }
  try {
    return { tokens: new Tokenizer(text).run() };
  } catch (error) {
    if (error instanceof TokenizeError) return { error: { line: error.line, message: error.message } };
    throw error;
  }
}

class Tokenizer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private readonly tokens: Token[] = [];

  constructor(private readonly text: string) {}

  run(): Token[] {
    const t = this.text;
    while (this.i < t.length) {
      const c = t[this.i] as string;
      if (c === ' ' || c === '\t') this.i++;
      else if (c === '\n') this.newline(this.i + 1);
      else if (c === '#') this.hash();
      else if (c === '"') this.push('string', this.i, this.quoted());
      else if (c === ',') this.comma();
      else if (c === '{') this.single('open');
      else if (c === '}') this.single('close');
      else if (c === '(') this.group();
      else if (c === '^') {
        this.single('caret');
        this.profileName();
      }
      else if (c === '-' && t[this.i + 1] === '>') this.fixed('arrow', 2);
      else if (c === '+' && t[this.i + 1] === '=') this.fixed('add-assign', 2);
      else if (c === '=') this.equals();
      else if (c === '/') this.label('path', this.i + 1);
      else if (c === ':' || c === '&') this.label('label', this.i + 1);
      else if (c === '@') this.variable();
      else if (c === '<' && this.previous()?.kind === 'word' && this.previous()?.text === 'abi') this.angle();
      else if (WORD_CHAR.test(c)) this.word();
      else {
        const code = t.codePointAt(this.i) ?? 0;
        this.fixed('other', code > 0xffff ? 2 : 1);
      }
    }
    return this.tokens;
  }

  private fail(message: string): never {
    throw new TokenizeError(this.line, message);
  }

  private newline(next: number): void {
    this.line++;
    this.lineStart = next;
    this.i = next;
  }

  private previous(): Token | undefined {
    for (let k = this.tokens.length - 1; k >= 0; k--) if (this.tokens[k]?.kind !== 'comment') return this.tokens[k];
    return undefined;
  }

  private push(kind: TokenKind, start: number, value?: string, items: string[] = [], ifExists = false): Token {
    const token: Token = { kind, text: this.text.slice(start, this.i), value: value ?? this.text.slice(start, this.i), items, ifExists, line: this.line, column: start - this.lineStart };
    this.tokens.push(token);
    return token;
  }

  private single(kind: TokenKind): void {
    this.fixed(kind, 1);
  }

  private fixed(kind: TokenKind, length: number): void {
    const start = this.i;
    this.i += length;
    this.push(kind, start);
  }

  /** `"..."`: the lexer lets `\"` continue a string but takes the longest match, so `\"` is ambiguous: refused. */
  private quoted(): string {
    const t = this.text;
    const start = this.i;
    for (let j = start + 1; j < t.length; j++) {
      const c = t[j];
      if (c === '\n') break;
      if (c === '\\' && t[j + 1] === '"') this.fail('a backslash before a quote inside a quoted string is not allowed');
      if (c === '"') {
        this.i = j + 1;
        return t.slice(start + 1, j);
      }
    }
    return this.fail('unterminated quoted string');
  }

  /** Comments run to the end of the line; `#include` is a directive even right after a comma. */
  private hash(): void {
    const t = this.text;
    const start = this.i;
    if (t.startsWith('#include', start)) {
      this.i += '#include'.length;
      this.include(start);
      return;
    }
    const end = t.indexOf('\n', start);
    this.i = end < 0 ? t.length : end;
    this.push('comment', start);
  }

  /** After `#include` or `include`: optional `if exists`, then `<file>`, `<"file">`, `"file"` or a bare file name. */
  private include(start: number): void {
    const t = this.text;
    const exists = /^[ \t]+if[ \t]+exists(?=[ \t])/.exec(t.slice(this.i));
    if (exists) this.i += exists[0].length;
    while (t[this.i] === ' ' || t[this.i] === '\t') this.i++;
    const from = this.i;
    if (t[this.i] === '<') {
      const close = t.indexOf('>', this.i);
      const inner = close < 0 ? '' : t.slice(this.i + 1, close);
      if (close < 0 || inner === '' || /[\t\r\n]/.test(inner)) this.fail('an include needs a file name');
      this.i = close + 1;
    } else if (t[this.i] === '"') {
      this.quoted();
    } else if (isIdChar(t[this.i])) {
      this.skipIds();
    } else {
      this.fail('an include needs a file name');
    }
    this.push('include', start, t.slice(from, this.i), [], exists !== null);
  }

  private comma(): void {
    const next = this.text[this.i + 1];
    // The lexer joins `,x` to the token before it inside network, mount, dbus, signal, ... rules: refuse the ambiguity.
    if (isIdChar(next)) this.fail(`put a space or a line break after the comma that ends a rule (found ",${next}")`);
    this.single('comma');
  }

  /** `( a, b c )`: the lexer's list values; commas separate items and never end the rule. */
  private group(): void {
    const t = this.text;
    const start = this.i;
    const startLine = this.line;
    const column = start - this.lineStart;
    const items: string[] = [];
    let j = start + 1;
    for (;;) {
      const c = t[j];
      if (c === undefined) throw new TokenizeError(startLine, 'unterminated "("');
      if (c === ')') break;
      if (c === '(') this.fail('"(" inside parentheses');
      if (c === ' ' || c === '\t' || c === ',') j++;
      else if (c === '\n') {
        this.line++;
        this.lineStart = j + 1;
        j++;
      } else if (c === '"') {
        this.i = j;
        items.push(this.quoted());
        j = this.i;
      } else {
        let k = j;
        while (k < t.length && !/[ \t\n,()"]/.test(t[k] as string)) k += t[k] === '\\' && (t[k + 1] === '(' || t[k + 1] === ')') ? 2 : 1;
        items.push(t.slice(j, k));
        j = k;
      }
    }
    this.i = j + 1;
    this.tokens.push({ kind: 'group', text: t.slice(start, this.i), value: t.slice(start, this.i), items, ifExists: false, line: startLine, column });
  }

  /** `=` after a word: the lexer reads the value as one IDS token (commas followed by text included). */
  private equals(): void {
    const previous = this.previous();
    this.single('equals');
    if (previous?.kind !== 'word') return;
    const t = this.text;
    while (t[this.i] === ' ' || t[this.i] === '\t') this.i++;
    const c = t[this.i];
    if (c === '(' || c === '"') return;
    if (!isIdChar(c)) this.fail(`"${previous.text}=" needs a value`);
    const start = this.i;
    this.skipIds();
    this.push('value', start);
  }

  /** The lexer's ID*: anything but blanks, quotes, "!" and a comma not followed by text; `\` escapes those. */
  private skipIds(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.i];
      if (c === undefined) return;
      if (c === ',' && isIdChar(t[this.i + 1])) this.i += 2;
      else if (c === '\\' && ID_ESCAPED.has(t[this.i + 1] ?? '')) this.i += 2;
      else if (ID_STOP.has(c)) return;
      else this.i++;
    }
  }

  private label(kind: 'path' | 'label', from: number): void {
    const start = this.i;
    this.i = from;
    this.skipIds();
    this.push(kind, start);
  }

  /** `@{VAR}` followed by path text is a path; on its own it names a variable (an assignment, or an error). */
  private variable(): void {
    const t = this.text;
    const start = this.i;
    const braced = /^@\{[A-Za-z][A-Za-z0-9_]*\}/.exec(t.slice(start));
    if (braced) {
      const after = start + braced[0].length;
      const c = t[after];
      if ((isIdChar(c) && c !== '=' && c !== '+') || (c === '\\' && ID_ESCAPED.has(t[after + 1] ?? ''))) {
        this.label('path', after);
        return;
      }
      this.i = after;
      this.push('variable', start);
      return;
    }
    const bare = VARIABLE_NAME.exec(t.slice(start + 1));
    this.i = start + 1 + (bare ? bare[0].length : 0);
    this.push(bare ? 'variable' : 'other', start);
  }

  /** `abi <abi/3.0>`: the lexer's ABI mode. */
  private angle(): void {
    const t = this.text;
    const close = t.indexOf('>', this.i);
    const inner = close < 0 ? '' : t.slice(this.i + 1, close);
    if (close < 0 || inner === '' || /[\t\r\n"]/.test(inner)) this.fail('"<" without a matching ">"');
    const start = this.i;
    this.i = close + 1;
    this.push('angle', start);
  }

  /** Keywords; `include ` is a directive; `profile`/`hat` take the next IDS as the profile name. */
  private word(): void {
    const t = this.text;
    const start = this.i;
    while (this.i < t.length && WORD_CHAR.test(t[this.i] as string)) this.i++;
    const text = t.slice(start, this.i);
    if (text === 'include' && (t[this.i] === ' ' || t[this.i] === '\t')) {
      this.include(start);
      return;
    }
    this.push('word', start);
    if (text === 'profile' || text === 'hat') this.profileName();
  }

  private profileName(): void {
    const t = this.text;
    while (t[this.i] === ' ' || t[this.i] === '\t') this.i++;
    if (t[this.i] === '"') {
      const start = this.i;
      this.push('string', start, this.quoted());
      return;
    }
    if (!isIdChar(t[this.i])) return;
    const start = this.i;
    this.skipIds();
    this.push('value', start);
  }
}

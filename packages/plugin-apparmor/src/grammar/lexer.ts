import { QUOTED_CHARACTER, WORD_CHARACTER, describeCharacter, forbiddenAnywhere } from './characters.js';
import type { GrammarProblem, Position } from './tree.js';

// Our own lexer for the statement forms we accept. It does not imitate apparmor_parser's: it is stricter, so a text
// it reads has one reading for both (words and quoted strings separated by blanks, `=` and lists glued only where
// both lexers agree, no escapes); everything else is a problem. The printer, not this text, feeds the profile.

export type TokenKind = 'word' | 'quoted' | 'angle' | 'equals' | 'open' | 'close' | 'separator' | 'arrow' | 'end' | 'brace-open' | 'brace-close';

export interface Token extends Position {
  kind: TokenKind;
  /** The word, or the quoted string without its quotes. */
  text: string;
  /** Whether blanks or a line break come before it (always true for a statement's first token). */
  spaced: boolean;
}

/** `include <…>` / `#include <…>` at the start of a statement, with its target as written. */
export interface IncludeDirective extends Position {
  kind: 'include';
  target: string;
  ifExists: boolean;
}

export type LexItem = Token | IncludeDirective;

export interface LexResult {
  items: LexItem[];
  /** The first lexical problem; lexing stops there (nothing after it has a reliable reading). */
  problem?: GrammarProblem;
}

/** Token pairs that may touch without a blank between them. */
const GLUE: Record<string, readonly TokenKind[]> = {
  word: ['equals', 'close', 'separator', 'end'],
  quoted: ['equals', 'close', 'separator', 'end'],
  angle: ['end'],
  equals: ['word', 'quoted', 'open'],
  open: ['word', 'quoted', 'close'],
  separator: ['word', 'quoted', 'close'],
  close: ['end'],
  arrow: ['word', 'quoted'],
};

class Stop extends Error {
  constructor(readonly problem: GrammarProblem) {
    super(problem.message);
  }
}

class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  private spaced = true;
  readonly items: LexItem[] = [];

  constructor(private readonly text: string) {}

  run(): void {
    this.checkCharacters();
    const t = this.text;
    while (this.i < t.length) {
      const c = t[this.i] as string;
      if (c === ' ' || c === '\t') {
        this.i++;
        this.spaced = true;
      } else if (c === '\n') {
        this.newline();
      } else if (this.depth === 0 && !this.inStatement() && c === '#') {
        if (t.startsWith('#include', this.i)) this.include('#include'.length);
        else this.comment();
      } else if (this.depth === 0 && !this.inStatement() && t.startsWith('include', this.i) && /[ \t]/.test(t[this.i + 7] ?? '')) {
        this.include('include'.length);
      } else {
        this.token(c);
      }
    }
    if (this.depth > 0) this.fail('unterminated "(" (a list needs its ")")');
  }

  private inStatement(): boolean {
    const last = this.items[this.items.length - 1];
    return last !== undefined && last.kind !== 'include' && last.kind !== 'end' && last.kind !== 'brace-open' && last.kind !== 'brace-close';
  }

  private position(at = this.i): Position {
    return { line: this.line, column: at - this.lineStart + 1 };
  }

  private fail(message: string, at = this.i): never {
    throw new Stop({ ...this.position(at), message });
  }

  /** Control characters are refused everywhere, comments included; they would move lines or end tokens. */
  private checkCharacters(): void {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < this.text.length; k++) {
      const c = this.text[k] as string;
      const message = forbiddenAnywhere(c);
      if (message) throw new Stop({ line, column: k - lineStart + 1, message });
      if (c === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
  }

  private newline(): void {
    this.i++;
    this.line++;
    this.lineStart = this.i;
    this.spaced = true;
  }

  private comment(): void {
    const end = this.text.indexOf('\n', this.i);
    this.i = end < 0 ? this.text.length : end;
  }

  /** The directive must have its line to itself: `include <abstractions/NAME>` and nothing after it. */
  private include(keywordLength: number): void {
    const t = this.text;
    const start = this.position();
    let j = this.i + keywordLength;
    if (!/[ \t]/.test(t[j] ?? '')) this.fail('an include needs a blank before its file name', j);
    while (t[j] === ' ' || t[j] === '\t') j++;
    const exists = /^if[ \t]+exists(?=[ \t])/.exec(t.slice(j));
    if (exists) {
      j += exists[0].length;
      while (t[j] === ' ' || t[j] === '\t') j++;
    }
    const from = j;
    while (j < t.length && !/[ \t\n#]/.test(t[j] as string)) j++;
    const target = t.slice(from, j);
    if (target === '') this.fail('an include needs a file name', from);
    while (t[j] === ' ' || t[j] === '\t') j++;
    // Not even a comment: apparmor_parser reads a `#include` after the include as a second directive.
    if (j < t.length && t[j] !== '\n') this.fail('an include must be on a line of its own (nothing after it, not even a comment)', j);
    this.items.push({ kind: 'include', ...start, target, ifExists: exists !== null });
    this.i = j;
    this.spaced = true;
  }

  private push(kind: TokenKind, start: number, text: string): void {
    const token: Token = { kind, text, spaced: this.spaced, ...this.position(start) };
    const previous = this.items[this.items.length - 1];
    const braces = kind === 'brace-open' || kind === 'brace-close' || previous?.kind === 'brace-open' || previous?.kind === 'brace-close';
    if (!token.spaced && previous && previous.kind !== 'include' && !braces && !(GLUE[previous.kind] ?? []).includes(kind)) {
      this.fail(`put a blank between ${JSON.stringify(previous.text)} and ${JSON.stringify(text)}`, start);
    }
    this.items.push(token);
    this.spaced = false;
  }

  private token(c: string): void {
    const t = this.text;
    const start = this.i;
    if (c === '#') this.fail('a comment inside a rule is not allowed (end the rule with a comma first)');
    if (c === '"') return this.quoted();
    if (c === '(') {
      if (this.depth > 0) this.fail('"(" inside a list');
      this.depth++;
      this.i++;
      return this.push('open', start, '(');
    }
    if (c === ')') {
      if (this.depth === 0) this.fail('")" without a "("');
      this.depth--;
      this.i++;
      return this.push('close', start, ')');
    }
    if (c === '=') {
      this.i++;
      return this.push('equals', start, '=');
    }
    if (c === ',') {
      this.i++;
      if (this.depth > 0) return this.push('separator', start, ',');
      const next = t[this.i];
      if (next !== undefined && next !== ' ' && next !== '\t' && next !== '\n') this.fail(`put a blank or a line break after the comma that ends a rule (found ${JSON.stringify(`,${next}`)})`, start);
      return this.push('end', start, ',');
    }
    if (this.depth === 0 && (c === '{' || c === '}')) {
      this.i++;
      return this.push(c === '{' ? 'brace-open' : 'brace-close', start, c);
    }
    if (c === '<' && this.depth === 0 && this.previousWord() === 'abi') return this.angle();
    if (c === '-' && t[this.i + 1] === '>') {
      this.i += 2;
      return this.push('arrow', start, '->');
    }
    this.word();
  }

  private previousWord(): string | undefined {
    const last = this.items[this.items.length - 1];
    return last?.kind === 'word' ? last.text : undefined;
  }

  /** `abi <abi/3.0>`: the one place an angle-bracketed name is a token. */
  private angle(): void {
    const start = this.i;
    const close = this.text.indexOf('>', start);
    const inner = close < 0 ? '' : this.text.slice(start + 1, close);
    if (!/^[A-Za-z0-9_./-]+$/.test(inner)) this.fail('"<" without a file name and ">"');
    this.i = close + 1;
    this.push('angle', start, this.text.slice(start, this.i));
  }

  /** A word; outside lists `,X` continues it (as both lexers read a path like `/etc/{passwd,shadow}`). */
  private word(): void {
    const t = this.text;
    const start = this.i;
    for (;;) {
      const c = t[this.i];
      if (c !== undefined && WORD_CHARACTER.test(c)) this.i++;
      else if (c === ',' && this.depth === 0 && WORD_CHARACTER.test(t[this.i + 1] ?? '')) this.i += 2;
      else break;
    }
    const stop = t[this.i];
    if (stop !== undefined && !/[ \t\n,=()"]/.test(stop)) this.unexpected(stop);
    this.push('word', start, t.slice(start, this.i));
  }

  private unexpected(c: string): never {
    if (c === '\\') {
      const next = this.text[this.i + 1];
      if (next === undefined || next === '\n' || /^[ \t]*(\n|$)/.test(this.text.slice(this.i + 1))) this.fail('a line may not end with a backslash');
      this.fail('a backslash is not allowed (no escapes: write the value in double quotes)');
    }
    if (c === '!') this.fail('"!" is not allowed');
    const character = String.fromCodePoint(this.text.codePointAt(this.i) ?? 0);
    if (character.charCodeAt(0) > 0x7f) this.fail(`${describeCharacter(character)} is not allowed outside comments`);
    this.fail(`unexpected ${describeCharacter(character)}`);
  }

  private quoted(): void {
    const t = this.text;
    const start = this.i;
    for (let j = start + 1; ; j++) {
      const c = t[j];
      if (c === undefined || c === '\n') this.fail('unterminated quoted string', start);
      if (c === '"') {
        if (j === start + 1) this.fail('an empty quoted string', start);
        this.i = j + 1;
        return this.push('quoted', start, t.slice(start + 1, j));
      }
      if (c === '\\') this.fail('a backslash inside a quoted string is not allowed (no escapes)', j);
      if (!QUOTED_CHARACTER.test(c)) {
        this.i = j;
        this.unexpected(c);
      }
    }
  }
}

/** Reads `text` into tokens and include directives; comments are dropped. */
export function lex(text: string): LexResult {
  const lexer = new Lexer(text);
  try {
    lexer.run();
    return { items: lexer.items };
  } catch (error) {
    if (error instanceof Stop) return { items: lexer.items, problem: error.problem };
    throw error;
  }
}

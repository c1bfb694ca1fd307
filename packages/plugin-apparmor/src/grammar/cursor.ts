import type { Token } from './lexer.js';
import type { GrammarProblem, Position } from './tree.js';

/** A statement the grammar refuses: the problem, at the token that shows it. */
export class GrammarError extends Error {
  constructor(readonly problem: GrammarProblem) {
    super(problem.message);
  }
}

/** Reads the tokens of one statement (up to, not including, its comma). */
export class Cursor {
  private k = 0;

  constructor(
    private readonly tokens: readonly Token[],
    /** The comma that ends the statement: where "expected more" problems point. */
    private readonly end: Position,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.k + offset];
  }

  next(): Token | undefined {
    return this.tokens[this.k++];
  }

  done(): boolean {
    return this.k >= this.tokens.length;
  }

  isWord(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'word' && token.text === text;
  }

  fail(message: string, token: Position | undefined = this.peek()): never {
    const at = token ?? this.end;
    throw new GrammarError({ line: at.line, column: at.column, message });
  }

  /** Nothing may follow: the rule ends here. */
  finish(what: string): void {
    const extra = this.peek();
    if (extra) this.fail(`unexpected ${describeToken(extra)} in ${what}`, extra);
  }

  /** A word or a quoted string, its text. */
  value(what: string): { text: string; token: Token } {
    const token = this.next();
    if (!token || (token.kind !== 'word' && token.kind !== 'quoted')) this.fail(`${what} is missing`, token);
    return { text: token.text, token };
  }
}

export function describeToken(token: Token): string {
  return token.kind === 'quoted' ? JSON.stringify(`"${token.text}"`) : JSON.stringify(token.text);
}

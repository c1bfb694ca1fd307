import { type Token, tokenize } from './tokenize.js';

/**
 * A statement of AppArmor policy text: a rule (its tokens up to, not including, the comma), a block opening (the
 * header before `{`), a block close, or an include directive.
 */
export type Statement =
  | { kind: 'rule'; tokens: Token[]; line: number }
  | { kind: 'open'; tokens: Token[]; brace: Token; line: number }
  | { kind: 'close'; brace: Token; line: number }
  | { kind: 'include'; include: Token; line: number };

export type SplitResult = { statements: Statement[]; error?: undefined } | { statements?: undefined; error: { line: number; message: string } };

/**
 * Splits tokens into statements. A comment or an include inside a rule is refused: inside network, mount, signal,
 * ... rules the lexer reads `#` as text, not as a comment. An include must have its line to itself.
 */
export function splitStatements(tokens: readonly Token[]): SplitResult {
  const statements: Statement[] = [];
  let current: Token[] = [];
  const fail = (line: number, message: string): SplitResult => ({ error: { line, message } });
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k] as Token;
    switch (token.kind) {
      case 'comment':
        if (current.length > 0) return fail(token.line, 'a comment inside a rule is not allowed (end the rule with a comma first)');
        break;
      case 'include': {
        if (current.length > 0) return fail(token.line, 'an include inside a rule is not allowed');
        const before = tokens[k - 1];
        const after = tokens[k + 1];
        if ((before && before.line === token.line) || (after && after.line === token.line)) {
          return fail(token.line, 'an include must be on a line of its own');
        }
        statements.push({ kind: 'include', include: token, line: token.line });
        break;
      }
      case 'comma':
        statements.push({ kind: 'rule', tokens: current, line: current[0]?.line ?? token.line });
        current = [];
        break;
      case 'open':
        statements.push({ kind: 'open', tokens: current, brace: token, line: current[0]?.line ?? token.line });
        current = [];
        break;
      case 'close':
        if (current.length > 0) return fail(current[0]?.line ?? token.line, 'a rule must end with a comma');
        statements.push({ kind: 'close', brace: token, line: token.line });
        break;
      default:
        current.push(token);
    }
  }
  if (current.length > 0) return fail(current[0]?.line ?? 1, 'a rule must end with a comma');
  return { statements };
}

/** Tokenizes and splits `text`; the first problem found, with its line, otherwise the statements. */
export function readStatements(text: string): SplitResult {
  const tokenized = tokenize(text);
  return tokenized.error ? { error: tokenized.error } : splitStatements(tokenized.tokens);
}

import { readStatements } from './statements.js';

/**
 * Where the first top-level profile of `text` closes: the line (1-based) and column of its `}`, found by the
 * tokenizer, so a `}` in a comment or inside a quoted path is never taken for it. Undefined when the text does not
 * read as statements or the profile is not closed.
 */
export function findProfileClose(text: string): { line: number; column: number } | undefined {
  const read = readStatements(text);
  if (read.error) return undefined;
  let depth = 0;
  for (const statement of read.statements) {
    if (statement.kind === 'open') depth++;
    else if (statement.kind === 'close') {
      depth--;
      if (depth === 0) return { line: statement.brace.line, column: statement.brace.column };
    }
  }
  return undefined;
}

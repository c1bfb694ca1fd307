import { readAbstractionInclude } from './abstractions.js';
import { GrammarError } from './cursor.js';
import type { LexItem, Token } from './lexer.js';
import { readStatement } from './statement.js';
import type { GrammarProblem, RawStatement } from './tree.js';

/** What a sequence of lexed items reads as: statements, and the problems of those that are not allowed. */
export interface StatementsRead {
  statements: RawStatement[];
  problems: GrammarProblem[];
  /** The item after the last one read (a `}` when `stopAtClose`), if any. */
  close?: Token;
  rest: LexItem[];
}

/**
 * Groups items into statements. A brace anywhere is a problem (a profile or hat opened, or the profile closed),
 * unless `stopAtClose` and it is a `}` at a statement boundary: then reading stops there.
 */
export function readStatements(items: readonly LexItem[], options: { stopAtClose?: boolean; openMessage?: string } = {}): StatementsRead {
  const stopAtClose = options.stopAtClose ?? false;
  const statements: RawStatement[] = [];
  const problems: GrammarProblem[] = [];
  let current: Token[] = [];
  for (let k = 0; k < items.length; k++) {
    const item = items[k] as LexItem;
    if (item.kind === 'include') {
      const read = readAbstractionInclude(item);
      if ('kind' in read) statements.push(read);
      else problems.push(read);
    } else if (item.kind === 'brace-close' && stopAtClose && current.length === 0) {
      return { statements, problems, close: item, rest: items.slice(k + 1) };
    } else if (item.kind === 'brace-open' || item.kind === 'brace-close') {
      const message = item.kind === 'brace-open' ? (options.openMessage ?? '"{" would open a block (a profile or hat) inside the profile') : '"}" would close the profile';
      problems.push({ line: item.line, column: item.column, message });
      current = [];
      // A refused block is skipped to its "}", so one mistake gives one problem.
      for (let depth = item.kind === 'brace-open' ? 1 : 0; depth > 0 && k + 1 < items.length; ) {
        const skipped = items[++k] as LexItem;
        if (skipped.kind === 'brace-open') depth++;
        else if (skipped.kind === 'brace-close') depth--;
      }
    } else if (item.kind === 'end') {
      if (current.length === 0) problems.push({ line: item.line, column: item.column, message: 'an empty rule (a comma with no rule before it)' });
      else {
        try {
          statements.push(readStatement(current, item));
        } catch (error) {
          if (!(error instanceof GrammarError)) throw error;
          problems.push(error.problem);
        }
      }
      current = [];
    } else {
      current.push(item);
    }
  }
  const first = current[0];
  if (first) problems.push({ line: first.line, column: first.column, message: 'a rule must end with a comma' });
  return { statements, problems, rest: [] };
}

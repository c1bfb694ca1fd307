import { lex } from './lexer.js';
import { readStatements } from './statements.js';
import type { GrammarProblem, RawStatement } from './tree.js';

export type RawRulesRead = { statements: RawStatement[]; problems: [] } | { statements?: undefined; problems: GrammarProblem[] };

/** Raw rule text → its statements, or every problem found (by line and column). Comments are dropped. */
export function parseRawRules(text: string): RawRulesRead {
  const lexed = lex(text);
  const read = readStatements(lexed.items);
  // After a lexical problem the unfinished statement before it is not a second problem.
  const problems = lexed.problem ? [...read.problems.filter((p) => !isUnfinished(p, lexed.problem as GrammarProblem)), lexed.problem] : read.problems;
  if (problems.length > 0) return { problems: sortProblems(problems) };
  return { statements: read.statements, problems: [] };
}

function isUnfinished(problem: GrammarProblem, stop: GrammarProblem): boolean {
  return problem.message === 'a rule must end with a comma' && (problem.line < stop.line || (problem.line === stop.line && problem.column <= stop.column));
}

export function sortProblems(problems: GrammarProblem[]): GrammarProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

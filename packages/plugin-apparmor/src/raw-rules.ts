import { type AppArmorRawRule, type PolicyError, policyError } from '@armorkit/core';
import { type GrammarProblem, type RawStatement, parseRawRules } from './grammar/index.js';

// Raw rules never reach the profile as written: grammar/ reads them into statements of the allowed forms, and
// compile prints those statements. Whatever the grammar does not read is an error at the field, with its line.

export type RawRuleProblem = GrammarProblem;

/** Checks one raw rule text; returns every problem with its line and column. */
export function checkRawRuleText(text: string): RawRuleProblem[] {
  return parseRawRules(text).problems;
}

/** `line 2, column 5: …`: where in the field's text. */
export function inText(position: { line: number; column: number }): string {
  return `line ${position.line}, column ${position.column}`;
}

/** A problem of a policy field's text as a policy error at the field, echoing the line it is on. */
export function textProblemError(code: string, pointer: string, text: string, problem: GrammarProblem): PolicyError {
  const error = policyError(code, pointer, `${inText(problem)}: ${problem.message}`, text.split('\n')[problem.line - 1]);
  return { ...error, textPosition: { line: problem.line, column: problem.column } };
}

/** Checks a plan's raw rules; each problem points at the policy field and names the line and column inside it. */
export function checkRawRules(rawRules: readonly AppArmorRawRule[]): PolicyError[] {
  return rawRules.flatMap((raw) => checkRawRuleText(raw.rules).map((problem) => textProblemError('apparmor-raw-rule', raw.pointer, raw.rules, problem)));
}

/** The statements of a raw rule the checks accepted (none when they did not: compile has failed then). */
export function rawRuleStatements(raw: AppArmorRawRule): RawStatement[] {
  return parseRawRules(raw.rules).statements ?? [];
}

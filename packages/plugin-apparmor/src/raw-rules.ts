import { type AppArmorRawRule, type PolicyError, policyError } from '@armorkit/core';
import { checkInclude } from './syntax/includes.js';
import { checkRule } from './syntax/rule-forms.js';
import { readStatements } from './syntax/statements.js';

// Raw rules are pasted into a profile armorkit generates, so a raw rule must stay a rule: every statement must be
// one of the allowed rule forms (syntax/rule-forms.ts) or an include of an abstraction. apparmor_parser then
// checks the whole profile (verify), and the profile names it declares are checked before loading.

export interface RawRuleProblem {
  /** 1-based line inside the raw rule text. */
  line: number;
  message: string;
}

/** Checks one raw rule text; returns every problem with its line. */
export function checkRawRuleText(text: string): RawRuleProblem[] {
  const read = readStatements(text);
  if (read.error) return [read.error];
  const problems: RawRuleProblem[] = [];
  for (const statement of read.statements) {
    let message: string | undefined;
    if (statement.kind === 'open') message = '"{" would open a block (a profile or hat) inside the profile';
    else if (statement.kind === 'close') message = '"}" would close the profile';
    else if (statement.kind === 'include') message = checkInclude(statement.include, ['abstractions']);
    else message = checkRule(statement.tokens);
    if (message) problems.push({ line: statement.line, message });
  }
  return problems;
}

/** Checks a plan's raw rules; each problem points at the policy field and names the line inside it. */
export function checkRawRules(rawRules: readonly AppArmorRawRule[]): PolicyError[] {
  return rawRules.flatMap((raw) =>
    checkRawRuleText(raw.rules).map((problem) =>
      policyError('apparmor-raw-rule', raw.pointer, `line ${problem.line}: ${problem.message}`, raw.rules.split('\n')[problem.line - 1]),
    ),
  );
}

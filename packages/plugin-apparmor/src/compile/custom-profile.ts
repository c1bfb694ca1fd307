import type { PolicyError } from '@armorkit/core';
import { type CustomProfileTree, customProfileLines, parseCustomProfile } from '../grammar/index.js';
import { textProblemError } from '../raw-rules.js';
import { ProfileText } from './profile-text.js';

/**
 * A DefenseInDepth custom profile, read by the grammar (grammar/custom-profile.ts): problems as policy errors at
 * the field, with the line and column inside the text.
 */
export function readCustomProfile(text: string, profileName: string, pointer: string): { tree: CustomProfileTree; errors: [] } | { tree?: undefined; errors: PolicyError[] } {
  const read = parseCustomProfile(text, profileName);
  if (read.tree) return { tree: read.tree, errors: [] };
  return { errors: read.problems.map((problem) => textProblemError('custom-profile-invalid', pointer, text, problem)) };
}

/** Checks a custom profile; every problem as a policy error. */
export function checkCustomProfile(text: string, profileName: string, pointer: string): PolicyError[] {
  return readCustomProfile(text, profileName, pointer).errors;
}

/** The custom profile printed from its tree, each body line mapped back to its statement; it ends with our own `}`. */
export function customProfileText(tree: CustomProfileTree, pointer: string): ProfileText {
  const { opening, body } = customProfileLines(tree);
  const profile = new ProfileText().addAll(opening);
  for (const line of body) {
    if (line.text === '') profile.blank();
    else profile.add(`  ${line.text}`, { pointer, source: `custom profile line ${line.statement.line}`, line: line.statement.line, column: line.statement.column });
  }
  return profile.add('}');
}


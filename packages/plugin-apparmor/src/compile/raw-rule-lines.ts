import type { AppArmorRawRule } from '@armorkit/core';
import { printStatement } from '../grammar/index.js';
import { rawRuleStatements } from '../raw-rules.js';
import type { ProfileText } from './profile-text.js';

/** Prints a raw rule's statements, one canonical line each, each mapped back to its line and column in the field. */
export function addRawRuleLines(text: ProfileText, raw: AppArmorRawRule, indent: string): void {
  for (const statement of rawRuleStatements(raw)) {
    text.add(`${indent}${printStatement(statement)}`, { pointer: raw.pointer, source: `raw rule line ${statement.line}`, line: statement.line, column: statement.column });
  }
}

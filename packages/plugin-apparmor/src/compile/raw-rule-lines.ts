import type { AppArmorRawRule } from '@armorkit/core';
import { type RawStatement, printStatement } from '../grammar/index.js';
import { rawRuleStatements } from '../raw-rules.js';
import type { ProfileText } from './profile-text.js';

/** The statement with its denial audited: `deny` statements, and the forms that are only denials. */
function audited(statement: RawStatement): RawStatement {
  switch (statement.kind) {
    case 'include':
      return statement;
    case 'change_profile':
    case 'pivot_root':
      return { ...statement, audit: true };
    default:
      return statement.deny ? { ...statement, audit: true } : statement;
  }
}

/**
 * Prints a raw rule's statements, one canonical line each, each mapped back to its line and column in the field;
 * with `auditDenials`, its denials audited.
 */
export function addRawRuleLines(text: ProfileText, raw: AppArmorRawRule, indent: string): void {
  for (const parsed of rawRuleStatements(raw)) {
    const statement = raw.auditDenials ? audited(parsed) : parsed;
    text.add(`${indent}${printStatement(statement)}`, { pointer: raw.pointer, source: `raw rule line ${statement.line}`, line: statement.line, column: statement.column });
  }
}

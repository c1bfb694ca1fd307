import type { AppArmorRawRule } from '@armorkit/core';
import type { ProfileText } from './profile-text.js';

/** Places checked raw rule text line by line, indented, each line mapped back to its line in the policy field. */
export function addRawRuleLines(text: ProfileText, raw: AppArmorRawRule, indent: string): void {
  raw.rules.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    text.add(`${indent}${trimmed}`, { pointer: raw.pointer, source: `raw rule line ${i + 1}` });
  });
}

import type { AppArmorPlan } from '@armorkit/core';
import { PROFILE_FLAGS } from './base-profiles.js';
import { ProfileText, TEMPLATE } from './profile-text.js';
import { findProfileClose } from '../syntax/profile-close.js';
import { addRawRuleLines } from './raw-rule-lines.js';
import { groupTargets } from './targets.js';

const INDENT = '  ';

/**
 * DefenseInDepth (reference §2.5): the base profile (custom or from the behaviour model) with the raw rules, and
 * one deny-by-default child profile per group of targets, inserted before the `}` that closes the profile.
 */
export function defenseInDepthProfile(plan: AppArmorPlan, base: ProfileText): ProfileText {
  const extra = new ProfileText();
  const global = plan.rawRules.filter((raw) => !raw.targets);
  if (global.length > 0) {
    extra.blank().add('# Custom Rules');
    for (const raw of global) addRawRuleLines(extra, raw, '');
  }
  groupTargets([], plan.rawRules).forEach((group, index) => {
    const childName = `child_${index}`;
    const self = `${plan.profileName}//${childName}`;
    extra.blank().add(`## Child Profile for Target Executables: ${group.targets.join(' ')} ##`);
    extra.addAll(['# the profile may signal and trace its child profile, not the reverse', `signal (send) peer=${self},`, `ptrace (trace,read) peer=${self},`]);
    for (const target of group.targets) extra.add(`${target} cx -> ${childName},`);
    extra.blank().add(`profile ${childName} ${PROFILE_FLAGS} {`).blank();
    for (const target of group.targets) extra.add(`${INDENT}${target} rix,`);
    extra.blank().add(`${INDENT}#include <abstractions/base>`).blank();
    extra.addAll([
      `${INDENT}signal (receive) peer=${plan.profileName},`,
      `${INDENT}signal (send,receive) peer=${self},`,
      `${INDENT}ptrace (tracedby,readby) peer=${plan.profileName},`,
      `${INDENT}ptrace (trace,read,tracedby,readby) peer=${self},`,
    ]);
    extra.blank().add(`${INDENT}# Custom Rules for ${group.targets.join(' ')}`);
    for (const raw of group.rawRules) addRawRuleLines(extra, raw, INDENT);
    extra.add('}');
  });
  return insertBeforeProfileClose(base, extra);
}

/**
 * The base text with `extra` (indented) placed before the `}` that closes the base profile, found by the tokenizer
 * (a `}` in a comment or a quoted path is not it); after the text when the base does not read as one profile.
 */
function insertBeforeProfileClose(base: ProfileText, extra: ProfileText): ProfileText {
  const close = findProfileClose(base.toString());
  const result = new ProfileText();
  if (!close) return result.append(base).append(extra, INDENT);
  const last = close.line - 1;
  const line = base.lines[last] ?? '';
  const origin = base.origins[last] ?? TEMPLATE;
  const head = new ProfileText();
  base.lines.slice(0, last).forEach((l, i) => head.add(l, base.origins[i] ?? TEMPLATE));
  if (line.slice(0, close.column).trim() !== '') head.add(line.slice(0, close.column).trimEnd(), origin);
  result.append(head).append(extra, INDENT).add(line.slice(close.column), origin);
  base.lines.slice(last + 1).forEach((l, i) => result.add(l, base.origins[last + 1 + i] ?? TEMPLATE));
  return result;
}

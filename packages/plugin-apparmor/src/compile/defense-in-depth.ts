import type { AppArmorPlan } from '@armorkit/core';
import { PROFILE_FLAGS } from './base-profiles.js';
import { ProfileText, TEMPLATE } from './profile-text.js';
import { addRawRuleLines } from './raw-rule-lines.js';
import { groupTargets } from './targets.js';

const INDENT = '  ';

/**
 * DefenseInDepth (reference §2.5): the base profile (custom or from the behaviour model) with the raw rules, and
 * one deny-by-default child profile per group of targets, inserted before the `}` that closes the profile (which
 * armorkit printed: the base is never the user's text).
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
    for (const target of group.targets) extra.addTransition(target, childName);
    extra.blank().openChild(childName, PROFILE_FLAGS).blank();
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
 * The base text with `extra` (indented) placed before the `}` that closes the base profile: its last line, which
 * armorkit printed itself (from the custom profile's tree, or from the behaviour model).
 */
function insertBeforeProfileClose(base: ProfileText, extra: ProfileText): ProfileText {
  const last = base.lines.length - 1;
  const result = new ProfileText();
  base.lines.slice(0, last).forEach((line, i) => result.add(line, base.origins[i] ?? TEMPLATE));
  for (const marker of base.diskDevices) result.diskDevices.push(marker);
  result.children.push(...base.children);
  result.transitions.push(...base.transitions);
  return result.append(extra, INDENT).add(base.lines[last] ?? '}', base.origins[last] ?? TEMPLATE);
}

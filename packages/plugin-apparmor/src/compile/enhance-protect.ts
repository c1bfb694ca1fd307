import type { AppArmorPlan, PlannedRule } from '@armorkit/core';
import { ALLOW_ALL, HEADER, PROFILE_FLAGS, profileOpening, runtimeDefaultBody } from './base-profiles.js';
import { ProfileText } from './profile-text.js';
import { type Qualifier, qualifierFor } from './qualifier.js';
import { addRawRuleLines } from './raw-rule-lines.js';
import { addRuleLines } from './rule-lines.js';
import { groupTargets, type TargetGroup } from './targets.js';

const INDENT = '  ';

/**
 * EnhanceProtect (reference §2.4): the base profile (RuntimeDefault, or AlwaysAllow when privileged), then the
 * rule sections, then one child profile per group of target executables.
 */
export function enhanceProtectProfile(plan: AppArmorPlan): ProfileText {
  const qualifier = qualifierFor(plan.action);
  const name = plan.profileName;
  const globalRules = plan.rules.filter((rule) => !rule.targets);
  const globalRaw = plan.rawRules.filter((raw) => !raw.targets);
  const sections = ruleSections(globalRules, globalRaw, qualifier);

  const text = new ProfileText().addAll(HEADER).add(profileOpening(name)).blank();
  text.add(`${INDENT}#include <abstractions/base>`).blank();
  text.addAll(baseBody(plan.privileged, qualifier, { self: name }).map(indentLine));
  if (sections.length > 0) text.blank().append(sections, INDENT);

  const groups = groupTargets(plan.rules, plan.rawRules);
  groups.forEach((group, index) => {
    text.blank().append(childProfile(plan, group, index, sections, qualifier), INDENT);
  });
  return text.add('}');
}

function baseBody(privileged: boolean, qualifier: Qualifier, peers: { self: string; parent?: string }): string[] {
  return privileged ? ALLOW_ALL : runtimeDefaultBody(qualifier, peers);
}

const indentLine = (line: string) => (line === '' ? '' : INDENT + line);

/** The sections shared by the profile and its children: hardening, attack protection, vulnerability mitigation, custom. */
function ruleSections(rules: readonly PlannedRule[], raw: AppArmorPlan['rawRules'], qualifier: Qualifier): ProfileText {
  const text = new ProfileText();
  const section = (title: string, list: readonly PlannedRule[]) => {
    if (list.length === 0) return;
    if (text.length > 0) text.blank();
    text.add(`# ${title}`);
    addRuleLines(text, list, qualifier, '');
  };
  section('Hardening Rules', rules.filter((r) => r.listedIn === 'hardening'));
  section('Attack Protection Rules', rules.filter((r) => r.listedIn === 'attackProtection'));
  section('Vulnerability Mitigation Rules', rules.filter((r) => r.listedIn === 'vulMitigation'));
  if (raw.length > 0) {
    if (text.length > 0) text.blank();
    text.add('# Custom Rules');
    for (const entry of raw) addRawRuleLines(text, entry, '');
  }
  return text;
}

function childProfile(plan: AppArmorPlan, group: TargetGroup, index: number, shared: ProfileText, qualifier: Qualifier): ProfileText {
  const parent = plan.profileName;
  const childName = `child_${index}`;
  const self = `${parent}//${childName}`;
  const text = new ProfileText().add(`## Child Profile for Target Executables: ${group.targets.join(' ')} ##`);
  if (!plan.privileged) {
    text.addAll([
      '# the profile may signal and trace its child profile, not the reverse',
      `signal (send) peer=${self},`,
      `ptrace (trace,read) peer=${self},`,
    ]);
  }
  for (const target of group.targets) text.addTransition(target, childName);
  text.blank().openChild(childName, PROFILE_FLAGS).blank();
  for (const target of group.targets) text.add(`${INDENT}${target} rix,`);
  text.blank().add(`${INDENT}#include <abstractions/base>`).blank();
  text.addAll(baseBody(plan.privileged, qualifier, { self, parent }).map(indentLine));
  if (shared.length > 0) text.blank().append(shared, INDENT);
  if (group.rules.length > 0) {
    text.blank().add(`${INDENT}# Attack Protection Rules for ${group.targets.join(' ')}`);
    addRuleLines(text, group.rules, qualifier, INDENT);
  }
  if (group.rawRules.length > 0) {
    text.blank().add(`${INDENT}# Custom Rules for ${group.targets.join(' ')}`);
    for (const raw of group.rawRules) addRawRuleLines(text, raw, INDENT);
  }
  return text.add('}');
}

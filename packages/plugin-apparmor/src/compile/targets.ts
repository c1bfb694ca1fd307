import type { AppArmorRawRule, PlannedRule } from '@armorkit/core';

/** Rules and raw rules confined to a set of executables: one child profile. */
export interface TargetGroup {
  targets: string[];
  rules: PlannedRule[];
  rawRules: AppArmorRawRule[];
}

/**
 * vArmor's grouping (reference §2.4 a-c): everything aimed at the same executable is gathered, then executables
 * with the same rules share one child profile. Unlike vArmor (quirk Q12) rule sets are compared as sets, so
 * `[a, b]` and `[b, a]` share a child, and a rule listed twice for one target is kept once. Groups, targets and
 * rules keep the order they first appear in the policy, so the output is deterministic.
 */
export function groupTargets(rules: readonly PlannedRule[], rawRules: readonly AppArmorRawRule[]): TargetGroup[] {
  const byTarget = new Map<string, { rules: PlannedRule[]; rawRules: AppArmorRawRule[] }>();
  const entry = (target: string) => {
    let found = byTarget.get(target);
    if (!found) byTarget.set(target, (found = { rules: [], rawRules: [] }));
    return found;
  };
  for (const rule of rules) {
    for (const target of rule.targets ?? []) {
      const found = entry(target);
      if (!found.rules.some((r) => r.rule.meta.id === rule.rule.meta.id)) found.rules.push(rule);
    }
  }
  for (const raw of rawRules) {
    for (const target of raw.targets ?? []) {
      const found = entry(target);
      if (!found.rawRules.some((r) => r.rules === raw.rules)) found.rawRules.push(raw);
    }
  }
  const groups = new Map<string, TargetGroup>();
  for (const [target, found] of byTarget) {
    const key = JSON.stringify([found.rules.map((r) => r.rule.meta.id).sort(), found.rawRules.map((r) => r.rules).sort()]);
    const group = groups.get(key);
    if (group) {
      if (!group.targets.includes(target)) group.targets.push(target);
    } else {
      groups.set(key, { targets: [target], rules: found.rules, rawRules: found.rawRules });
    }
  }
  return [...groups.values()];
}

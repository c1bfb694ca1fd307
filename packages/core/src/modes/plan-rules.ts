import type { Enforcer } from '../enforcer.js';
import { type PolicyError, policyError } from '../errors.js';
import type { PlannedRule, SkippedRule } from '../plan.js';
import type { RuleSection } from '../rules/define.js';
import type { RuleRegistry } from '../rules/registry.js';
import type { EnhanceProtect } from '../schema/varmor/index.js';

/** A rule name as written, with where it was written. */
export interface ListedRule {
  name: string;
  listedIn: RuleSection;
  pointer: string;
  targets?: string[];
}

/** The rule names of `enhanceProtect`, in vArmor's generation order: hardening, attack protection, vulnerability mitigation. */
export function listedRules(enhanceProtect: EnhanceProtect, pointer: string): ListedRule[] {
  const listed: ListedRule[] = [];
  (enhanceProtect.hardeningRules ?? []).forEach((name, i) =>
    listed.push({ name, listedIn: 'hardening', pointer: `${pointer}/hardeningRules/${i}` }),
  );
  (enhanceProtect.attackProtectionRules ?? []).forEach((group, g) =>
    group.rules.forEach((name, i) => {
      const rulePointer = `${pointer}/attackProtectionRules/${g}/rules/${i}`;
      const targets = group.targets && group.targets.length > 0 ? group.targets : undefined;
      listed.push(
        targets
          ? { name, listedIn: 'attackProtection', pointer: rulePointer, targets }
          : { name, listedIn: 'attackProtection', pointer: rulePointer },
      );
    }),
  );
  (enhanceProtect.vulMitigationRules ?? []).forEach((name, i) =>
    listed.push({ name, listedIn: 'vulMitigation', pointer: `${pointer}/vulMitigationRules/${i}` }),
  );
  return listed;
}

/** Looks every listed rule up; unknown names are errors with the nearest known id. */
export function lookUpRules(
  listed: readonly ListedRule[],
  registry: RuleRegistry,
): { found: (ListedRule & { rule: PlannedRule['rule'] })[]; errors: PolicyError[] } {
  const found: (ListedRule & { rule: PlannedRule['rule'] })[] = [];
  const errors: PolicyError[] = [];
  for (const entry of listed) {
    const { rule, id, suggestion } = registry.lookup(entry.name);
    if (rule) {
      found.push({ ...entry, rule });
      continue;
    }
    const hint = suggestion ? `; did you mean "${suggestion}"?` : '; run `armorkit rules` for the catalogue';
    errors.push(policyError('unknown-rule', entry.pointer, `unknown rule "${id}"${hint}`, entry.name));
  }
  return { found, errors };
}

/** Splits the found rules into those that act for `enforcer` and those that do nothing there (with the reason). */
export function rulesFor(
  enforcer: Enforcer,
  found: readonly (ListedRule & { rule: PlannedRule['rule'] })[],
): { rules: PlannedRule[]; skipped: SkippedRule[] } {
  const rules: PlannedRule[] = [];
  const skipped: SkippedRule[] = [];
  for (const entry of found) {
    const { rule, pointer } = entry;
    if (!rule.meta.enforcers.includes(enforcer)) {
      const others = rule.meta.enforcers.length > 0 ? rule.meta.enforcers.join(', ') : 'no enforcer';
      skipped.push({ rule, pointer, reason: `not implemented by ${enforcer} (implemented by ${others})` });
    } else if (entry.targets && enforcer !== 'AppArmor') {
      skipped.push({ rule, pointer, reason: `rules with targets are enforced by AppArmor only (child profiles)` });
    } else {
      rules.push(
        entry.targets
          ? { rule, listedIn: entry.listedIn, pointer, targets: entry.targets }
          : { rule, listedIn: entry.listedIn, pointer },
      );
    }
  }
  return { rules, skipped };
}

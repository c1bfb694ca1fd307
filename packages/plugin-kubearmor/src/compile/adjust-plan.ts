import type { AppArmorPlan, AppArmorRawRule, Plan } from '@armorkit/core';
import { kubeArmorBaseProfile } from './base-profile.js';
import { translationOf } from './policy-ir.js';

/**
 * The resolveMode step for KubeArmor policies. BPF and seccomp compile the EnhanceProtect spec as it is. AppArmor
 * gets KubeArmor's profile instead of the RuntimeDefault base, since whitelist mode removes allow-all lines no
 * EnhanceProtect base can lose: a custom base profile (the DefenseInDepth build) with the rules, and one child profile
 * per fromSource executable, each line pointing at the KubeArmor field it came from. The semantics' warnings join
 * the plan's.
 */
export function adjustKubeArmorPlan(plan: Plan): Plan {
  const translation = translationOf(plan.policy);
  if (!translation) return plan;
  const enforcers = { ...plan.enforcers };
  const appArmor = enforcers.AppArmor;
  if (appArmor) {
    const { header, global, sources } = translation.appArmor;
    const rawRules: AppArmorRawRule[] = [
      ...global.map((lines) => ({ rules: lines.rules, pointer: lines.pointer })),
      ...sources.flatMap(({ source, lines }) => lines.map((entry) => ({ rules: entry.rules, targets: [source], pointer: entry.pointer }))),
    ];
    const adjusted: AppArmorPlan = {
      ...appArmor,
      build: { kind: 'Custom', text: kubeArmorBaseProfile(plan.profileName, header), pointer: plan.policy.specPointer },
      profileMode: 'enforce',
      action: 'audit-deny',
      privileged: false,
      // The KubeArmor rules are all in rawRules; built-in rules (capabilities for BPF) are not AppArmor's here.
      rules: [],
      skipped: [],
      rawRules,
    };
    enforcers.AppArmor = adjusted;
  }
  // The syscall rules come from spec.syscalls, whatever EnhanceProtect field carried them to the plan.
  if (enforcers.Seccomp) enforcers.Seccomp = { ...enforcers.Seccomp, rules: [], skipped: [], rawRules: { ...enforcers.Seccomp.rawRules, pointer: '/spec/syscalls' } };
  return { ...plan, enforcers, warnings: [...plan.warnings, ...translation.warnings] };
}

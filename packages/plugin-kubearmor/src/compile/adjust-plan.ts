import { type AppArmorPlan, type AppArmorRawRule, type ContainerPosture, type Plan, POSTURE_CLASSES } from '@armorkit/core';
import type { AppArmorHeader } from '../semantics/apparmor.js';
import { translationOf } from './policy-ir.js';

/**
 * KubeArmor's default container posture (its non-privileged AppArmor BaseTemplate, reference §3.2): each class is
 * allowed wholesale unless whitelist mode with the block posture makes it an allow list; /proc, /sys and mount are
 * protected.
 */
export function kubeArmorPosture(header: AppArmorHeader, pointer: string): ContainerPosture {
  // The header's audited classes are audit-posture ones, so always among those it keeps.
  const allowAll = POSTURE_CLASSES.filter((cls) => header[cls]);
  return { allowAll, ...(header.audited ? { auditAll: header.audited } : {}), protections: ['proc', 'sys', 'mount'], pointer };
}

/**
 * The resolveMode step for KubeArmor policies. BPF and seccomp compile the EnhanceProtect spec as it is. AppArmor
 * gets KubeArmor's container posture instead of the RuntimeDefault base, since whitelist mode removes allow-all
 * lines no EnhanceProtect base can lose: the posture with the rules, and one child profile per fromSource
 * executable, each line pointing at the KubeArmor field it came from. The semantics' warnings join the plan's.
 */
export function adjustKubeArmorPlan(plan: Plan): Plan {
  const translation = translationOf(plan.policy);
  if (!translation) return plan;
  const enforcers = { ...plan.enforcers };
  const appArmor = enforcers.AppArmor;
  if (appArmor) {
    const { header, global, sources } = translation.appArmor;
    // KubeArmor alerts on every denial: the native rules' `deny` lines are audited, as the dialect's own are.
    const rawRules: AppArmorRawRule[] = [
      ...global.map((lines) => ({ rules: lines.rules, pointer: lines.pointer, auditDenials: true as const })),
      ...sources.flatMap(({ source, lines }) => lines.map((entry) => ({ rules: entry.rules, targets: [source], pointer: entry.pointer, auditDenials: true as const }))),
    ];
    const adjusted: AppArmorPlan = {
      ...appArmor,
      build: { kind: 'Posture', posture: kubeArmorPosture(header, plan.policy.specPointer) },
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

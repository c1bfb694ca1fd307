import type { Enforcer, PolicyError } from '@armorkit/core';
import type { EnhanceProtect, VarmorPolicySpec } from '@armorkit/core/schema';
import { type AppArmorTranslation, appArmorTranslation } from './apparmor.js';
import { type BpfTranslation, bpfTranslation } from './bpf.js';
import { kubearmorErrors as errors } from '../errors.js';
import { kubeArmorSpecTarget } from '../dialect/policy-ir.js';
import type { ParsedKubeArmorPolicy } from '../parse/parsed-policy.js';
import { type PostureOptions, type Postures, resolvePostures } from './posture.js';
import { type FieldNote, type KubeArmorRule, flattenRules } from './rules.js';
import { type SeccompTranslation, seccompTranslation } from './seccomp.js';

/** The enforcers a KubeArmor policy can go to, in armorkit's order. */
export const KUBEARMOR_ENFORCERS = ['AppArmor', 'BPF', 'Seccomp'] as const satisfies readonly Enforcer[];
export type KubeArmorEnforcer = (typeof KUBEARMOR_ENFORCERS)[number];

export interface TranslateOptions extends PostureOptions {
  /**
   * The enforcers to use. Given: each must enforce every rule it is meant for exactly, or the policy is refused.
   * Absent: every enforcer that can enforce all its rules exactly; the others are left out with a warning.
   */
  enforcers?: readonly KubeArmorEnforcer[];
}

/** A KubeArmor policy in armorkit's terms: the rules, the posture, per-enforcer translations and the vArmor spec. */
export interface Translation {
  rules: KubeArmorRule[];
  /** Host policies': their events are host alerts. */
  host: boolean;
  postures: Postures;
  enforcers: KubeArmorEnforcer[];
  spec: VarmorPolicySpec;
  appArmor: AppArmorTranslation;
  bpf: BpfTranslation;
  seccomp: SeccompTranslation;
  errors: PolicyError[];
  warnings: PolicyError[];
}

/** Which enforcers a rule is for: seccomp takes syscalls, AppArmor and BPF the rest. */
function enforcersFor(rule: KubeArmorRule): readonly KubeArmorEnforcer[] {
  return rule.class === 'syscalls' ? ['Seccomp'] : ['AppArmor', 'BPF'];
}

const uniqueNotes = (notes: readonly FieldNote[]) => [...new Map(notes.map((note) => [`${note.pointer}\n${note.message}`, note])).values()];

/**
 * What the semantics translate: the rules of the policies that apply to one container, with the fields refused or
 * ignored, their native AppArmor rules, the namespace whose posture applies and the vArmor target.
 */
export interface RuleSet {
  rules: KubeArmorRule[];
  refused: FieldNote[];
  ignored: FieldNote[];
  natives: { text: string; pointer: string }[];
  namespace: string;
  /** Host policies' rules (a set is all host policies or none). */
  host: boolean;
  target: VarmorPolicySpec['target'];
  /** How a pointer of the set is named in a message (a merged set names the policy). */
  describe: (pointer: string) => string;
}

/** One policy as a rule set. */
export function ruleSetOf(policy: ParsedKubeArmorPolicy): RuleSet {
  const { rules, refused, ignored } = flattenRules(policy);
  return { rules, refused, ignored, natives: policy.apparmor ? [policy.apparmor] : [], namespace: policy.namespace ?? '', host: policy.kind === 'KubeArmorHostPolicy', target: kubeArmorSpecTarget(policy), describe: (pointer) => pointer };
}

/**
 * KubeArmor's semantics (reference §2) for one policy: its rules with inherited fields, whitelist mode and the
 * default posture per class, translated for AppArmor, BPF and seccomp; which enforcers take it; and a vArmor
 * EnhanceProtect spec holding what each enforcer's compiler consumes. Pure.
 */
export function translateKubeArmor(policy: ParsedKubeArmorPolicy, options: TranslateOptions = {}): Translation {
  return translateRuleSet(ruleSetOf(policy), options);
}

/** The semantics of a rule set: one policy's, or the union of the policies that select one container. Pure. */
export function translateRuleSet(set: RuleSet, options: TranslateOptions = {}): Translation {
  const errorList: PolicyError[] = set.refused.map((note) => errors.error('kubearmor/field-unsupported', note.pointer, note.message, note.value));
  const warnings: PolicyError[] = set.ignored.map((note) => errors.error('kubearmor/field-ignored', note.pointer, note.message));

  const { rules, natives } = set;

  const postures = resolvePostures(set.namespace, options);
  const appArmor = appArmorTranslation(rules, postures, natives, options.postureAlerts === true);
  const bpf = bpfTranslation(rules);
  const seccomp = seccompTranslation(rules);
  const problemsOf: Record<KubeArmorEnforcer, FieldNote[]> = {
    AppArmor: uniqueNotes(appArmor.problems),
    BPF: uniqueNotes(bpf.problems),
    Seccomp: uniqueNotes(seccomp.problems),
  };
  // spec.apparmor is AppArmor's own language: the other enforcers do not take it, as in KubeArmor.
  for (const native of natives) {
    if (native.text.trim() !== '') problemsOf.BPF.push({ pointer: native.pointer, message: 'native AppArmor rules (spec.apparmor) are for the AppArmor enforcer only' });
  }

  const needed = new Set<KubeArmorEnforcer>(rules.flatMap((rule) => enforcersFor(rule)));
  if (natives.length > 0 || rules.length === 0) needed.add('AppArmor');
  let enforcers: KubeArmorEnforcer[];
  if (options.enforcers) {
    enforcers = KUBEARMOR_ENFORCERS.filter((enforcer) => options.enforcers?.includes(enforcer));
    for (const enforcer of enforcers) {
      for (const note of problemsOf[enforcer]) errorList.push(errors.error('kubearmor/rule-unenforceable', note.pointer, `${enforcer}: ${note.message}`));
    }
  } else {
    enforcers = KUBEARMOR_ENFORCERS.filter((enforcer) => needed.has(enforcer) && problemsOf[enforcer].length === 0);
    for (const enforcer of KUBEARMOR_ENFORCERS) {
      if (!needed.has(enforcer) || enforcers.includes(enforcer)) continue;
      for (const note of problemsOf[enforcer]) warnings.push(errors.error('kubearmor/enforcer-left-out', note.pointer, `${enforcer} is not used for this policy: ${note.message}`));
    }
  }
  // Every rule needs one chosen enforcer that takes it.
  for (const rule of rules) {
    const takers = enforcersFor(rule);
    if (takers.some((enforcer) => enforcers.includes(enforcer))) continue;
    if (options.enforcers) {
      if (!takers.some((enforcer) => problemsOf[enforcer].some((note) => note.pointer.startsWith(rule.pointer)))) {
        errorList.push(errors.error('kubearmor/rule-unenforceable', rule.pointer, `this rule is enforced by ${takers.join(' or ')}, and the chosen enforcers are ${enforcers.join(', ') || 'none'}`));
      }
      continue;
    }
    const reasons = takers.map((enforcer) => {
      const own = problemsOf[enforcer].filter((note) => note.pointer.startsWith(rule.pointer));
      if (own.length > 0) return `${enforcer}: ${own.map((note) => note.message).join('; ')}`;
      const other = problemsOf[enforcer][0];
      return `${enforcer} cannot take this policy because of ${other ? set.describe(other.pointer) : 'another rule'}: ${other?.message ?? ''}`;
    });
    errorList.push(errors.error('kubearmor/rule-unenforceable', rule.pointer, `no armorkit enforcer can enforce this policy's rule exactly (${reasons.join('; ')})`));
  }
  if (enforcers.includes('AppArmor')) {
    for (const note of appArmor.notes) warnings.push(errors.error('kubearmor/alerts-differ', note.pointer, note.message));
  }

  const enhanceProtect: EnhanceProtect = { auditViolations: true };
  if (enforcers.includes('AppArmor')) {
    const raw = [
      ...appArmor.global.map((lines) => ({ rules: lines.rules })),
      ...appArmor.sources.flatMap(({ source, lines }) => lines.map((entry) => ({ rules: entry.rules, targets: [source] }))),
    ];
    if (raw.length > 0) enhanceProtect.appArmorRawRules = raw;
  }
  if (enforcers.includes('BPF')) {
    if (Object.keys(bpf.rawRules).length > 0) enhanceProtect.bpfRawRules = bpf.rawRules;
    if (bpf.hardeningRules.length > 0) enhanceProtect.hardeningRules = bpf.hardeningRules;
  }
  if (enforcers.includes('Seccomp') && seccomp.syscalls.length > 0) enhanceProtect.syscallRawRules = seccomp.syscalls;
  const spec: VarmorPolicySpec = {
    target: set.target,
    policy: { enforcer: enforcers.join(''), mode: 'EnhanceProtect', enhanceProtect },
  };
  return { rules, host: set.host, postures, enforcers, spec, appArmor, bpf, seccomp, errors: errorList, warnings };
}

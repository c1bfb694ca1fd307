import type { Enforcer } from '../enforcer.js';
import { coreErrors } from '../core-errors.js';
import type { PolicyError } from '../errors.js';
import type { PolicyIR } from '../ir.js';
import type {
  AppArmorPlan,
  BpfPlan,
  NetworkProxyPlan,
  Plan,
  PlannedRule,
  ProfileBuild,
  ProfileMode,
  SeccompPlan,
  SkippedRule,
  ViolationAction,
} from '../plan.js';
import type { RuleRegistry } from '../rules/registry.js';
import type { ArmorProfileModel } from '../schema/varmor/index.js';
import { listedRules, lookUpRules, rulesFor } from './plan-rules.js';
import { violationAction } from './violation-action.js';

export interface ResolveResult {
  plan?: Plan;
  errors: PolicyError[];
}

interface Common {
  profileMode: ProfileMode;
  build: ProfileBuild;
  action: ViolationAction;
  privileged: boolean;
  rules: PlannedRule[];
  skipped: SkippedRule[];
}

/**
 * The mode × enforcer matrix (reference §2.2) as data: for each enforcer of the policy, what to build, how the
 * kernel runs it, what a violation does, and which rules and raw rules apply. Differences from vArmor are in docs/compat.md.
 */
export function resolveMode(
  policy: PolicyIR,
  registry: RuleRegistry,
  models: ReadonlyMap<string, ArmorProfileModel> = new Map(),
): ResolveResult {
  const { spec, specPointer } = policy;
  const mode = spec.policy.mode;
  const policyPointer = `${specPointer}/policy`;
  const errors: PolicyError[] = [];
  const warnings: PolicyError[] = [];
  const enforcers: Plan['enforcers'] = {};

  const enhance = spec.policy.enhanceProtect;
  const enhancePointer = `${policyPointer}/enhanceProtect`;
  const listed = mode === 'EnhanceProtect' && enhance ? listedRules(enhance, enhancePointer) : [];
  const lookup = lookUpRules(listed, registry);
  errors.push(...lookup.errors);

  /** DefenseInDepth: the enforcer's own section says whether it builds on the behaviour model or a custom profile. */
  const defenseInDepthBuild = (enforcer: Enforcer): ProfileBuild => {
    // The egress proxy has no model or custom profile: its egress rules go on an allow-all base.
    if (enforcer === 'NetworkProxy') return { kind: 'Rules', base: 'AlwaysAllow' };
    const sectionName = enforcer === 'AppArmor' ? 'appArmor' : enforcer === 'Seccomp' ? 'seccomp' : undefined;
    const section = sectionName ? spec.policy.defenseInDepth?.[sectionName] : undefined;
    if (section?.profileType !== 'Custom') return { kind: 'BehaviorModel' };
    const pointer = `${policyPointer}/defenseInDepth/${sectionName}/customProfile`;
    // The schema refuses an empty customProfile; an IR built by hand is held to the same rule.
    if (!section.customProfile) errors.push(coreErrors.error('required', pointer, 'profileType Custom needs a non-empty customProfile'));
    return { kind: 'Custom', text: section.customProfile ?? '', pointer };
  };

  const common = (enforcer: Enforcer): Common => {
    switch (mode) {
      case 'AlwaysAllow':
        return { profileMode: 'enforce', build: { kind: 'AlwaysAllow' }, action: 'allow', privileged: false, rules: [], skipped: [] };
      case 'RuntimeDefault':
        return { profileMode: 'enforce', build: { kind: 'RuntimeDefault' }, action: 'deny', privileged: false, rules: [], skipped: [] };
      case 'BehaviorModeling':
        return { profileMode: 'complain', build: { kind: 'Modeling' }, action: 'audit', privileged: false, rules: [], skipped: [] };
      case 'DefenseInDepth': {
        const allow = spec.policy.defenseInDepth?.allowViolations ?? false;
        return {
          profileMode: allow ? 'complain' : 'enforce',
          build: defenseInDepthBuild(enforcer),
          action: allow ? 'audit' : 'deny',
          privileged: false,
          rules: [],
          skipped: [],
        };
      }
      case 'EnhanceProtect': {
        const privileged = enhance?.privileged ?? false;
        const { rules, skipped } = rulesFor(enforcer, lookup.found);
        // Seccomp has no "runtime default plus rules" in vArmor: the rules are added to an allow-all filter.
        const base = enforcer === 'Seccomp' || enforcer === 'NetworkProxy' || privileged ? 'AlwaysAllow' : 'RuntimeDefault';
        return {
          profileMode: 'enforce',
          build: { kind: 'Rules', base },
          action: violationAction(enhance?.auditViolations, enhance?.allowViolations),
          privileged,
          rules,
          skipped,
        };
      }
    }
  };

  for (const enforcer of policy.enforcers) {
    const shared = { profileName: policy.profileName, mode, ...common(enforcer) };
    switch (enforcer) {
      case 'AppArmor': {
        const appArmor: AppArmorPlan = { ...shared, enforcer, rawRules: [] };
        if (mode === 'EnhanceProtect') {
          appArmor.rawRules = (enhance?.appArmorRawRules ?? []).map((raw, i) => ({
            rules: raw.rules,
            ...(raw.targets && raw.targets.length > 0 ? { targets: raw.targets } : {}),
            pointer: `${enhancePointer}/appArmorRawRules/${i}/rules`,
          }));
        } else if (mode === 'DefenseInDepth') {
          const section = spec.policy.defenseInDepth?.appArmor;
          const pointer = `${policyPointer}/defenseInDepth/appArmor`;
          appArmor.rawRules = (section?.appArmorRawRules ?? []).map((raw, i) => ({
            rules: raw.rules,
            ...(raw.targets && raw.targets.length > 0 ? { targets: raw.targets } : {}),
            pointer: `${pointer}/appArmorRawRules/${i}/rules`,
          }));
        }
        enforcers.AppArmor = appArmor;
        break;
      }
      case 'BPF': {
        const bpf: BpfPlan = { ...shared, enforcer };
        if (mode === 'EnhanceProtect' && enhance?.bpfRawRules) {
          bpf.rawRules = { rules: enhance.bpfRawRules, pointer: `${enhancePointer}/bpfRawRules` };
        }
        enforcers.BPF = bpf;
        break;
      }
      case 'Seccomp': {
        const seccomp: SeccompPlan = { ...shared, enforcer, rawRules: { rules: [], pointer: '' } };
        if (mode === 'EnhanceProtect') {
          seccomp.rawRules = { rules: enhance?.syscallRawRules ?? [], pointer: `${enhancePointer}/syscallRawRules` };
        } else if (mode === 'DefenseInDepth') {
          const section = spec.policy.defenseInDepth?.seccomp;
          const pointer = `${policyPointer}/defenseInDepth/seccomp`;
          seccomp.rawRules = { rules: section?.syscallRawRules ?? [], pointer: `${pointer}/syscallRawRules` };
        }
        enforcers.Seccomp = seccomp;
        break;
      }
      case 'NetworkProxy': {
        const proxy: NetworkProxyPlan = { ...shared, enforcer };
        const egress =
          mode === 'EnhanceProtect'
            ? { rules: enhance?.networkProxyRawRules?.egress, pointer: `${enhancePointer}/networkProxyRawRules/egress` }
            : mode === 'DefenseInDepth'
              ? {
                  rules: spec.policy.defenseInDepth?.networkProxy?.egress,
                  pointer: `${policyPointer}/defenseInDepth/networkProxy/egress`,
                }
              : undefined;
        if (egress?.rules) proxy.egress = { rules: egress.rules, pointer: egress.pointer };
        enforcers.NetworkProxy = proxy;
        break;
      }
    }
  }

  // A rule no enforcer of the policy implements protects nothing: vArmor says nothing, we warn.
  for (const entry of lookup.found) {
    if (!policy.enforcers.some((e) => entry.rule.meta.enforcers.includes(e))) {
      const by = entry.rule.meta.enforcers.join(', ') || 'no enforcer';
      warnings.push(
        coreErrors.error(
          'rule-without-effect',
          entry.pointer,
          `rule "${entry.rule.meta.id}" does nothing with enforcer ${policy.enforcers.join('+')} (it is implemented by ${by})`,
        ),
      );
    } else if (entry.targets && !policy.enforcers.includes('AppArmor')) {
      warnings.push(
        coreErrors.error(
          'rule-without-effect',
          entry.pointer,
          `rule "${entry.rule.meta.id}" has targets, which only AppArmor enforces; it does nothing here`,
        ),
      );
    }
  }

  if (errors.length > 0) return { errors };
  const behaviorModel = models.get(policy.profileName);
  const plan: Plan = { policy, profileName: policy.profileName, enforcers, warnings };
  if (behaviorModel) plan.behaviorModel = behaviorModel;
  return { plan, errors };
}

import { z } from 'zod';
import { ENFORCERS, type Enforcer } from './enforcer.js';
import type { PolicyError } from './errors.js';
import type { PolicyIR } from './ir.js';
import type { RuleDefinition, RuleSection } from './rules/define.js';
import type { LinuxSyscall } from './schema/oci-seccomp.js';
import type { ArmorProfileModel, BpfRawRules, NetworkProxyEgress, PolicyMode } from './schema/varmor/index.js';

/** What a rule violation does (reference §1.0: from auditViolations / allowViolations). */
export const VIOLATION_ACTIONS = ['deny', 'audit-deny', 'audit', 'allow'] as const;
export const violationActionSchema = z.enum(VIOLATION_ACTIONS);
export type ViolationAction = z.infer<typeof violationActionSchema>;

/** The profile the rules are added to. */
export const BASE_PROFILES = ['AlwaysAllow', 'RuntimeDefault', 'Modeling', 'BehaviorModel', 'Custom', 'Posture'] as const;
export type BaseProfile = (typeof BASE_PROFILES)[number];

/** The classes of operation a container posture allows wholesale or leaves to an allow list. */
export const POSTURE_CLASSES = ['file', 'network', 'capability'] as const;
export type PostureClass = (typeof POSTURE_CLASSES)[number];

/**
 * What a posture protects whatever its rules allow. `proc`: no writes to /proc outside the processes' own
 * directories and /proc/sys/kernel/shm*, no access at all to sysrq-trigger, mem, kmem and kcore. `sys`: no writes to
 * /sys outside the cgroup tree, no access at all to EFI variables and securityfs. `mount`: no mounting.
 */
export const POSTURE_PROTECTIONS = ['proc', 'sys', 'mount'] as const;
export type PostureProtection = (typeof POSTURE_PROTECTIONS)[number];

/**
 * A container's default posture, for dialects whose policies can be allow lists (KubeArmor's whitelist mode): the
 * classes allowed wholesale (a class left out is denied except what a rule allows) and the protections kept. Signals
 * and tracing among the container's own processes, unix sockets and unmounting are not mediated. Each enforcer that
 * can build it prints it in its own language.
 */
export interface ContainerPosture {
  allowAll: PostureClass[];
  /**
   * Of `allowAll`, the classes whose every operation is logged: an audit posture reported per operation (KubeArmor's
   * DefaultPosture Audit alerts), the allowed ones too, which the dialect's alerts then leave out.
   */
  auditAll?: PostureClass[];
  protections: PostureProtection[];
  /** The policy field the posture comes from, for lines and errors. */
  pointer: string;
}

/**
 * What an enforcer builds, the one field a compiler switches on (the policy's mode picks it, resolveMode decides):
 * allow everything; the container runtime's default; the modelling profile (log everything); a profile from the
 * behaviour model (in the compile context); the policy's own custom profile; a dialect's container posture (with
 * the plan's raw rules, like a custom profile's); or the rules of the plan on a base.
 */
export type ProfileBuild =
  | { kind: 'AlwaysAllow' }
  | { kind: 'RuntimeDefault' }
  | { kind: 'Modeling' }
  | { kind: 'BehaviorModel' }
  | { kind: 'Custom'; text: string; pointer: string }
  | { kind: 'Posture'; posture: ContainerPosture }
  | { kind: 'Rules'; base: 'AlwaysAllow' | 'RuntimeDefault' };

/** The base profile a build starts from, as `explain` shows it. */
export function baseProfile(build: ProfileBuild): BaseProfile {
  return build.kind === 'Rules' ? build.base : build.kind;
}

/** How the kernel runs the profile: enforce, or complain (log what it would deny, deny nothing). */
export type ProfileMode = 'enforce' | 'complain';

/** A built-in or pack rule the policy uses, with where it was written. */
export interface PlannedRule {
  rule: RuleDefinition;
  /** The list it was written in. */
  listedIn: RuleSection;
  /** JSON pointer of the rule name in the source document. */
  pointer: string;
  /** Executables the rule is confined to (attackProtectionRules with targets; AppArmor child profiles). */
  targets?: string[];
}

/** A rule the policy lists that does nothing for this enforcer, and why (shown by `explain`). */
export interface SkippedRule {
  rule: RuleDefinition;
  pointer: string;
  reason: string;
}

export interface AppArmorRawRule {
  rules: string;
  targets?: string[];
  pointer: string;
  /**
   * Every denial the rule text writes is printed audited (`deny` → `audit deny`), so the kernel logs it: for a
   * dialect whose alerts report each denial (KubeArmor's native `apparmor:` rules). vArmor's raw rules are printed
   * as written.
   */
  auditDenials?: true;
}

interface EnforcerPlanBase<E extends Enforcer> {
  enforcer: E;
  profileName: string;
  /** The policy's mode, for messages; compilers switch on `build`. */
  mode: PolicyMode;
  profileMode: ProfileMode;
  build: ProfileBuild;
  action: ViolationAction;
  privileged: boolean;
  rules: PlannedRule[];
  skipped: SkippedRule[];
}

export interface AppArmorPlan extends EnforcerPlanBase<'AppArmor'> {
  rawRules: AppArmorRawRule[];
}
export interface BpfPlan extends EnforcerPlanBase<'BPF'> {
  rawRules?: { rules: BpfRawRules; pointer: string };
}
export interface SeccompPlan extends EnforcerPlanBase<'Seccomp'> {
  rawRules: { rules: LinuxSyscall[]; pointer: string };
}
export interface NetworkProxyPlan extends EnforcerPlanBase<'NetworkProxy'> {
  egress?: { rules: NetworkProxyEgress; pointer: string };
}

export type EnforcerPlan = AppArmorPlan | BpfPlan | SeccompPlan | NetworkProxyPlan;
export type EnforcerPlanFor<E extends Enforcer> = Extract<EnforcerPlan, { enforcer: E }>;

/** The policy resolved per enforcer: what `compile` works from. */
export interface Plan {
  policy: PolicyIR;
  profileName: string;
  enforcers: { [E in Enforcer]?: EnforcerPlanFor<E> };
  /** Not fatal: rules that do nothing with the policy's enforcers, and similar. */
  warnings: PolicyError[];
  /** The policy's behaviour model (an ArmorProfileModel named after the profile), when one was given. */
  behaviorModel?: ArmorProfileModel;
}

/** The enforcers a plan has a part for, in vArmor's order. */
export function plannedEnforcers(plan: Plan): Enforcer[] {
  return ENFORCERS.filter((enforcer) => plan.enforcers[enforcer] !== undefined);
}

import { type Artifact, type CompileContext, coreErrors, type PolicyError, type Result, type SeccompPlan, fail, ok, resultOf } from '@armorkit/core';
import { type LinuxSeccomp, type LinuxSeccompArg, linuxSeccompSchema, parseExactJson } from '@armorkit/core/schema';
import { seccompProfileFromModel } from './behavior-model.js';
import { enhanceProtectProfile } from './enhance-protect.js';
import type { RulesTextCache } from './rules-text-cache.js';
import { type RuntimeArch, runtimeDefaultProfile } from './runtime-default.js';
import { checkErrnoRet, checkSyscallNames } from './syscall-names.js';
import { seccompAction } from './violation-action.js';

declare module '@armorkit/core' {
  interface ArtifactDataMap {
    Seccomp: LinuxSeccomp;
  }
}

/** What compile reads from the engine's compile context. */
export type SeccompCompileContext = Pick<CompileContext, 'specPointer' | 'behaviorModel'>;

export interface SeccompCompileOptions {
  /** Architecture the RuntimeDefault profile is built for. */
  arch?: RuntimeArch;
  /** Container bounding capabilities for RuntimeDefault (CAP_ names). */
  capabilities?: readonly string[];
}

/** What the modeller watches while a policy is in BehaviorModeling: everything logged, the noisiest I/O allowed. */
const MODELING: LinuxSeccomp = {
  defaultAction: 'SCMP_ACT_LOG',
  syscalls: [{ names: ['open', 'openat', 'openat2', 'close', 'read', 'write'], action: 'SCMP_ACT_ALLOW' }],
};

/** The policy's custom profile (an OCI seccomp profile in JSON), or why it cannot be used. */
function customBase(custom: { text: string; pointer: string }): { base?: LinuxSeccomp; errors: PolicyError[] } {
  const json = parseExactJson(custom.text);
  if ('error' in json) return { errors: [coreErrors.error('custom-profile-invalid', custom.pointer, `customProfile is not JSON: ${json.error}`)] };
  const parsed = linuxSeccompSchema.safeParse(json.value);
  if (!parsed.success) {
    return { errors: [coreErrors.error('custom-profile-invalid', custom.pointer, `not an OCI seccomp profile: ${parsed.error.issues[0]?.message}`)] };
  }
  return { base: parsed.data, errors: checkSyscallNames(parsed.data.syscalls ?? [], custom.pointer) };
}

/** The profile the behaviour model recorded, or why there is none. */
function modelBase(plan: SeccompPlan, context: SeccompCompileContext): { base?: LinuxSeccomp; errors: PolicyError[] } {
  const pointer = `${context.specPointer}/policy/defenseInDepth/seccomp/profileType`;
  if (!context.behaviorModel) {
    const message = `profileType BehaviorModel needs the behaviour model of ${plan.profileName} (an ArmorProfileModel, e.g. armorkit compile --model FILE); none was given`;
    return { errors: [coreErrors.error('behavior-model-missing', pointer, message)] };
  }
  const fromModel = seccompProfileFromModel(context.behaviorModel);
  if (!fromModel.profile) return { errors: [coreErrors.error('behavior-model-invalid', pointer, fromModel.error ?? 'unusable behaviour model')] };
  return { base: fromModel.profile, errors: checkSyscallNames(fromModel.profile.syscalls ?? [], '') };
}

/** DefenseInDepth: the model or custom profile decides what is allowed; allowViolations decides what happens to the rest. */
function defenseInDepth(plan: SeccompPlan, base: LinuxSeccomp): LinuxSeccomp {
  const profile: LinuxSeccomp = {
    ...structuredClone(base),
    defaultAction: plan.action === 'audit' ? 'SCMP_ACT_LOG' : 'SCMP_ACT_ERRNO',
  };
  // What the model or profile does not allow is denied and reported (as AppArmor reports its deny-by-default denials),
  // so that a workload that needs more is seen; vArmor denies silently.
  if (plan.action !== 'audit' && !(profile.flags ?? []).includes('SECCOMP_FILTER_FLAG_LOG')) profile.flags = [...(profile.flags ?? []), 'SECCOMP_FILTER_FLAG_LOG'];
  const syscalls = [...(profile.syscalls ?? []), ...plan.rawRules.rules.map((rule) => structuredClone(rule))];
  if (syscalls.length > 0) profile.syscalls = syscalls;
  return profile;
}

/** A seccomp plan → OCI LinuxSeccomp, by what the plan says to build. Pure. */
export function compileSeccompProfile(plan: SeccompPlan, context: SeccompCompileContext, options: SeccompCompileOptions = {}): Result<LinuxSeccomp> {
  const errors = [
    ...checkSyscallNames(plan.rawRules.rules, plan.rawRules.pointer),
    ...checkErrnoRet(plan.rawRules.rules, plan.rawRules.pointer),
  ];
  switch (plan.build.kind) {
    case 'AlwaysAllow':
      return resultOf({ defaultAction: 'SCMP_ACT_ALLOW' }, errors);
    // resolveMode gives seccomp's rules an allow-all base (vArmor has no "runtime default plus rules" for seccomp).
    case 'Rules':
      return resultOf(enhanceProtectProfile(plan.rules, plan.rawRules.rules, seccompAction(plan.action)), errors);
    case 'RuntimeDefault':
      return resultOf(
        runtimeDefaultProfile({
          ...(options.arch ? { arch: options.arch } : {}),
          ...(options.capabilities ? { capabilities: options.capabilities } : {}),
        }),
        errors,
      );
    case 'Modeling':
      return resultOf(structuredClone(MODELING), errors);
    // A posture's classes are files, networking and capabilities: nothing a syscall filter can allow or deny wholesale.
    case 'Posture':
      return fail([...errors, coreErrors.error('mode-unsupported', plan.build.posture.pointer, 'the Seccomp enforcer cannot build a container posture (file, network and capability classes)')]);
    case 'Custom':
    case 'BehaviorModel': {
      const { base, errors: baseErrors } = plan.build.kind === 'Custom' ? customBase(plan.build) : modelBase(plan, context);
      errors.push(...baseErrors);
      return !base || errors.length > 0 ? fail(errors) : ok(defenseInDepth(plan, base));
    }
  }
}

/** A uint64 written as a bare JSON number however it was given (number, bigint or decimal string). */
function u64(value: LinuxSeccompArg['value'] | undefined): string | number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  return `@@u64:${value.toString()}@@`;
}

const U64_MARK = /"@@u64:(\d+)@@"/g;

/** Stable JSON: OCI field order, 2-space indent, 64-bit values as exact JSON numbers (runc reads uint64). */
export function formatSeccompProfile(profile: LinuxSeccomp): string {
  const ordered = {
    defaultAction: profile.defaultAction,
    defaultErrnoRet: profile.defaultErrnoRet,
    architectures: profile.architectures,
    flags: profile.flags,
    listenerPath: profile.listenerPath,
    listenerMetadata: profile.listenerMetadata,
    syscalls: profile.syscalls?.map((s) => ({
      names: s.names,
      action: s.action,
      errnoRet: s.errnoRet,
      args: s.args?.map((a) => ({ index: a.index, value: u64(a.value), valueTwo: u64(a.valueTwo), op: a.op })),
    })),
  };
  const text = JSON.stringify(ordered, null, 2);
  // Most profiles have no 64-bit value given as a bigint or string: no mark to replace, and no copy of the text made.
  return (text.includes('"@@u64:') ? text.replace(U64_MARK, '$1') : text) + '\n';
}

/**
 * A seccomp plan → the artifact: `<profile>.seccomp.json` and the profile as data. Pure: `texts` only keeps texts it
 * would make again the same.
 */
export function seccompArtifact(
  plan: SeccompPlan,
  context: SeccompCompileContext,
  options: SeccompCompileOptions = {},
  texts?: RulesTextCache,
): Result<Artifact<'Seccomp'>> {
  const compiled = compileSeccompProfile(plan, context, options);
  if (!compiled.ok) return compiled;
  const profile = compiled.value;
  // An EnhanceProtect profile without raw rules is enhanceProtectProfile(plan.rules, [], plan.action's): its text by those.
  const content =
    texts && plan.build.kind === 'Rules' && plan.rawRules.rules.length === 0
      ? texts.text(plan.rules, plan.action, () => formatSeccompProfile(profile))
      : formatSeccompProfile(profile);
  return ok({
    enforcer: 'Seccomp',
    profileName: plan.profileName,
    profileMode: plan.profileMode,
    files: [{ suffix: 'seccomp.json', content }],
    data: profile,
  });
}

import { type ArmorProfileModel, type CompileResult, type LinuxSeccomp, type LinuxSeccompArg, linuxSeccompSchema, parseExactJson, type PolicyError, policyError, type SeccompPlan } from '@armorkit/core';
import { seccompProfileFromModel } from './behavior-model.js';
import { enhanceProtectProfile } from './enhance-protect.js';
import { type RuntimeArch, runtimeDefaultProfile } from './runtime-default.js';
import { checkErrnoRet, checkSyscallNames } from './syscall-names.js';
import { seccompAction } from './violation-action.js';

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

function defenseInDepth(plan: SeccompPlan, model: ArmorProfileModel | undefined, specPointer: string): { profile?: LinuxSeccomp; errors: PolicyError[] } {
  let base: LinuxSeccomp | undefined;
  if (plan.customProfile) {
    const json = parseExactJson(plan.customProfile.text);
    if ('error' in json) {
      return { errors: [policyError('invalid-custom-profile', plan.customProfile.pointer, `customProfile is not JSON: ${json.error}`)] };
    }
    const parsed = linuxSeccompSchema.safeParse(json.value);
    if (!parsed.success) {
      return { errors: [policyError('invalid-custom-profile', plan.customProfile.pointer, `not an OCI seccomp profile: ${parsed.error.issues[0]?.message}`)] };
    }
    base = parsed.data;
  } else {
    const pointer = `${specPointer}/policy/defenseInDepth/seccomp/profileType`;
    if (!model) {
      return {
        errors: [
          policyError(
            'behavior-model-missing',
            pointer,
            `profileType BehaviorModel needs the behaviour model of ${plan.profileName} (an ArmorProfileModel, e.g. armorkit compile --model FILE); none was given`,
          ),
        ],
      };
    }
    const fromModel = seccompProfileFromModel(model);
    if (!fromModel.profile) return { errors: [policyError('behavior-model-invalid', pointer, fromModel.error ?? 'unusable behaviour model')] };
    base = fromModel.profile;
  }
  const errors = checkSyscallNames(base.syscalls ?? [], plan.customProfile ? plan.customProfile.pointer : '');
  // The model or custom profile decides what is allowed; allowViolations decides what happens to the rest.
  const profile: LinuxSeccomp = {
    ...structuredClone(base),
    defaultAction: plan.action === 'audit' ? 'SCMP_ACT_LOG' : 'SCMP_ACT_ERRNO',
  };
  const syscalls = [...(profile.syscalls ?? []), ...plan.rawRules.rules.map((rule) => structuredClone(rule))];
  if (syscalls.length > 0) profile.syscalls = syscalls;
  return { profile, errors };
}

/** A seccomp plan → OCI LinuxSeccomp for every mode. Pure. */
export function compileSeccompProfile(
  plan: SeccompPlan,
  options: SeccompCompileOptions = {},
  behaviorModel?: ArmorProfileModel,
  specPointer = '/spec',
): { profile?: LinuxSeccomp; errors: PolicyError[] } {
  const errors = [
    ...checkSyscallNames(plan.rawRules.rules, plan.rawRules.pointer),
    ...checkErrnoRet(plan.rawRules.rules, plan.rawRules.pointer),
  ];
  let profile: LinuxSeccomp | undefined;
  switch (plan.base) {
    case 'AlwaysAllow':
      profile =
        plan.mode === 'EnhanceProtect'
          ? enhanceProtectProfile(plan.rules, plan.rawRules.rules, seccompAction(plan.action))
          : { defaultAction: 'SCMP_ACT_ALLOW' };
      break;
    case 'RuntimeDefault':
      profile = runtimeDefaultProfile({
        ...(options.arch ? { arch: options.arch } : {}),
        ...(options.capabilities ? { capabilities: options.capabilities } : {}),
      });
      break;
    case 'Modeling':
      profile = structuredClone(MODELING);
      break;
    case 'BehaviorModel':
    case 'Custom': {
      const result = defenseInDepth(plan, behaviorModel, specPointer);
      errors.push(...result.errors);
      profile = result.profile;
      break;
    }
  }
  return errors.length > 0 ? { errors } : { profile: profile as LinuxSeccomp, errors };
}

/** A uint64 written as a bare JSON number however it was given (number, bigint or decimal string). */
function u64(value: LinuxSeccompArg['value'] | undefined): string | number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  return `@@u64:${value.toString()}@@`;
}

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
  return JSON.stringify(ordered, null, 2).replace(/"@@u64:(\d+)@@"/g, '$1') + '\n';
}

export function seccompArtifact(
  plan: SeccompPlan,
  options: SeccompCompileOptions = {},
  behaviorModel?: ArmorProfileModel,
  specPointer = '/spec',
): CompileResult<LinuxSeccomp> {
  const { profile, errors } = compileSeccompProfile(plan, options, behaviorModel, specPointer);
  if (!profile) return { errors };
  return {
    artifact: {
      enforcer: 'Seccomp',
      profileName: plan.profileName,
      profileMode: plan.profileMode,
      files: [{ suffix: 'seccomp.json', content: formatSeccompProfile(profile) }],
      data: profile,
      warnings: [],
    },
    errors,
  };
}

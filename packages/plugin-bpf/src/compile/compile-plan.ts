import { type BpfFragment, type BpfPlan, coreErrors, type Result, fail, resultOf } from '@armorkit/core';
import type { ArmorProfileModel } from '@armorkit/core/schema';
import { addBehaviorModel } from './behavior-model.js';
import { addBuiltInRules } from './built-in-rules.js';
import { DISK_DEVICE_PATTERN } from './disk-devices.js';
import type { BpfEgressResolver } from './egress-resolver.js';
import { checkRuleLimits } from './limits.js';
import { ProfileBuilder } from './profile-builder.js';
import type { BpfProfile } from './profile.js';
import { addRawRules } from './raw-rules.js';
import { AUDIT_MODE, actionMode } from './rule-mode.js';
import { addRuntimeDefault } from './runtime-default.js';

export interface BpfCompileOptions {
  /** Addresses of the Kubernetes Services and Pods that egress rules name; without it such rules are errors. */
  resolver?: BpfEgressResolver;
  /** The node's disk devices (`sda`, `nvme0n1`, ...) for the disk-device rules. */
  diskDevices?: readonly string[];
  /** JSON pointer of the policy's spec (`/spec`), where errors about the mode point. */
  specPointer?: string;
  /** The profile's behaviour model, for DefenseInDepth (the BehaviorModel build). */
  behaviorModel?: ArmorProfileModel;
}


function usesDiskDevices(plan: BpfPlan): string[] {
  return plan.rules
    .filter((planned) => {
      const fragment = planned.rule.fragments.bpf as BpfFragment | undefined;
      return [...(fragment?.files ?? []), ...(fragment?.mounts ?? []).map((m) => ({ pattern: m.sourcePattern }))].some(
        (entry) => entry.pattern === DISK_DEVICE_PATTERN,
      );
    })
    .map((planned) => planned.pointer);
}

/**
 * A BPF plan → the compiled profile (reference §2.7, §3.12): the RuntimeDefault base for non-privileged
 * containers, the built-in rules' fragments, then bpfRawRules. Pure: the same plan and options give the same profile.
 */
export function compileBpfProfile(plan: BpfPlan, options: BpfCompileOptions = {}): Result<BpfProfile> {
  const specPointer = options.specPointer ?? '/spec';
  const { build } = plan;
  if (build.kind === 'Custom' || build.kind === 'Posture') {
    const message = `the BPF enforcer does not support ${plan.mode} with a ${build.kind === 'Custom' ? 'custom profile' : 'container posture'} (BPF has no profile language of its own)`;
    return fail([coreErrors.error('mode-unsupported', `${specPointer}/policy/mode`, message)]);
  }
  const builder = new ProfileBuilder(plan.profileName, plan.profileMode);
  const mode = actionMode(plan.action);
  if (build.kind === 'BehaviorModel') {
    const pointer = `${specPointer}/policy/mode`;
    if (!options.behaviorModel) {
      const message = `DefenseInDepth needs the behaviour model of ${plan.profileName} (an ArmorProfileModel, e.g. armorkit run --model FILE); none was given`;
      return fail([coreErrors.error('behavior-model-missing', pointer, message)]);
    }
    // What the model did not record is denied and reported, as AppArmor reports the denials of its deny-by-default profile.
    const modelMode = mode === 0 ? 0 : mode | AUDIT_MODE;
    const gaps = addBehaviorModel(builder, options.behaviorModel.data?.dynamicResult?.bpf, modelMode, { pointer, source: 'behavior-model' });
    if (gaps.length > 0) {
      builder.warning('bpf-model-partial', pointer, `BPF enforces the model's capabilities, sockets, ptrace and egress; it cannot express its ${gaps.join(', ')} (deny rules only), which AppArmor's profile enforces`);
    }
  }
  if (options.diskDevices === undefined) {
    for (const pointer of usesDiskDevices(plan)) {
      builder.warning('bpf-disk-devices-unknown', pointer, 'the node\'s disk devices were not given, so this disk-device rule matches no device');
    }
  }
  const diskDevices = options.diskDevices ?? [];
  // The other builds have no base rules: AlwaysAllow and Modeling allow everything, Rules on AlwaysAllow adds only rules.
  if (build.kind === 'RuntimeDefault' || (build.kind === 'Rules' && build.base === 'RuntimeDefault')) addRuntimeDefault(builder, mode, { pointer: `${specPointer}/policy/mode`, source: 'runtime-default' });
  addBuiltInRules(plan.rules, { builder, mode, privileged: plan.privileged, diskDevices, resolver: options.resolver });
  if (plan.rawRules) {
    addRawRules(plan.rawRules.rules, plan.rawRules.pointer, {
      builder,
      action: plan.action,
      privileged: plan.privileged,
      diskDevices,
      resolver: options.resolver,
    });
  }
  const errors = [...builder.errors, ...checkRuleLimits(builder.profile)];
  return resultOf(builder.profile, errors, builder.warnings);
}

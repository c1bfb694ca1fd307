import { type Engine, splitEnforcerString } from '@armorkit/core';
import type { ArmorProfileModel, Profile } from '@armorkit/core/schema';
import type { KubernetesObject } from '@kubernetes/client-node';
import { compilePolicy, describeProblems } from './compile-policy.js';
import { desiredArmorProfile, type PolicyOwner } from './desired-profile.js';

/**
 * The profiles a completed model gives (vArmor's `data.profile`, §5.1 step 5): the policy compiled as DefenseInDepth
 * with `profileType: BehaviorModel` for AppArmor and seccomp and the model, as it will be once switched, so the user
 * sees what will be enforced before switching. A problem is a message naming the fields.
 */
export async function profileFromModel(
  engine: Engine,
  policy: KubernetesObject & { spec?: unknown },
  model: ArmorProfileModel,
  context: { owner: PolicyOwner; namespace: string; verify: boolean },
): Promise<{ profile: Profile } | { problem: string }> {
  const enforcers = splitEnforcerString(enforcerOf(policy)).enforcers;
  const defenseInDepth = {
    ...(enforcers.includes('AppArmor') ? { appArmor: { profileType: 'BehaviorModel' } } : {}),
    ...(enforcers.includes('Seccomp') ? { seccomp: { profileType: 'BehaviorModel' } } : {}),
  };
  const switched = withMode(policy, { mode: 'DefenseInDepth', defenseInDepth });
  const compiled = await compilePolicy(engine, switched, { verify: context.verify, models: new Map([[model.metadata.name, model]]) });
  if (!compiled.ok) return { problem: describeProblems(compiled.errors) };
  const desired = desiredArmorProfile(context.owner, compiled.plan, compiled.artifacts, context.namespace);
  if (!desired.ok) return { problem: describeProblems(desired.errors) };
  return { profile: desired.value.armorProfile.spec.profile };
}

type PolicyObject = KubernetesObject & { spec?: unknown };

function enforcerOf(policy: PolicyObject): string {
  const spec = typeof policy.spec === 'object' && policy.spec !== null ? policy.spec : {};
  const current = 'policy' in spec && typeof spec.policy === 'object' && spec.policy !== null ? spec.policy : {};
  return 'enforcer' in current && typeof current.enforcer === 'string' ? current.enforcer : '';
}

/** The policy object with `spec.policy` replaced by its enforcer and `section` (the rest of the spec as it is). */
function withMode(policy: PolicyObject, section: Record<string, unknown>): PolicyObject {
  const spec = typeof policy.spec === 'object' && policy.spec !== null ? policy.spec : {};
  return { ...policy, spec: { ...spec, policy: { enforcer: enforcerOf(policy), ...section } } };
}

/**
 * What a BehaviorModeling policy's ArmorProfile holds once its run completed (vArmor switches it to the AlwaysAllow
 * profiles, §5.1 step 5): the complain-mode profiles would go on logging every event for nothing.
 */
export function completedModelingPolicy(policy: PolicyObject): PolicyObject {
  return withMode(policy, { mode: 'AlwaysAllow' });
}

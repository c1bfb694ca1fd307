import type { Engine, KubernetesVersion, Plan, PolicyError, PolicyIR, Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { mutateErrors } from './errors.js';
import type { PatchOperation } from './json-patch.js';
import { hasMatchLabels, type MatchLabels } from './match-labels.js';
import { kubeArmorPoliciesOf } from './kubearmor-match.js';
import { matchPolicy } from './match-policy.js';
import { type OperationStyle, PatchWriter } from './patch-writer.js';
import { writePodChanges } from './pod-patch.js';
import type { Workload } from './workload.js';

/** The annotation that says when armorkit last changed the object (vArmor's). */
export const MUTATED_AT_ANNOTATION = 'webhook.varmor.org/mutatedAt';

export interface MutateInput {
  engine: Engine;
  policies: readonly PolicyIR[];
  workload: Workload;
  kubernetesVersion: KubernetesVersion;
  /** The time written into mutatedAt. */
  now: Date;
  /** The labels the workload must all carry; `{}`: none. */
  matchLabels: MatchLabels;
  operationStyle?: OperationStyle;
  /** The plan of a policy, when the caller keeps them (the webhook does, per policy object). */
  planOf?: (policy: PolicyIR) => { plan?: Plan; errors: PolicyError[] };
}

export interface WorkloadMutation {
  /** The policy that matched, if any. */
  policy?: PolicyIR;
  /** The JSON patch; empty when nothing is to change (no policy, or the object already has every change). */
  operations: PatchOperation[];
  /** The object with the patch applied (the object itself when the patch is empty). */
  object: Record<string, unknown>;
}

/** KubeArmor merges every policy that selects a container into one profile; armorkit applies one (the first). */
function overlapWarning(policies: readonly PolicyIR[]): PolicyError {
  const [first, ...others] = policies.map((policy) => `${policy.kind} ${policy.clusterScoped ? '' : `${policy.namespace}/`}${policy.name}`);
  return mutateErrors.error('policies-overlap', '', `${first} is applied; ${others.join(', ')} also select${others.length === 1 ? 's' : ''} the pod and ${others.length === 1 ? 'is' : 'are'} not applied (one profile per container)`);
}

/** RFC 3339 in UTC to the second, as vArmor writes mutatedAt. */
export const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The mutating webhook's decision for one object, pure: the policy it matches (if the match labels are there), then
 * the JSON patch of every enforcer's pod changes, mutatedAt last. An object that already has every change gets an
 * empty patch — mutatedAt is not bumped — so mutating twice changes nothing, and re-applying a manifest does not churn.
 */
export function mutateWorkload(input: MutateInput): Result<WorkloadMutation> {
  const { workload } = input;
  const unchanged = { operations: [], object: workload.object };
  // vArmor's policies need the match labels; KubeArmor's apply to every pod their selector matches, as KubeArmor's do.
  const varmor = hasMatchLabels(workload, input.matchLabels) ? matchPolicy(input.policies, workload) : undefined;
  const kubeArmor = varmor ? [] : kubeArmorPoliciesOf(input.policies, workload);
  const policy = varmor ?? kubeArmor[0];
  if (!policy) return ok(unchanged);
  const overlap = kubeArmor.length > 1 ? [overlapWarning(kubeArmor)] : [];
  const resolved = input.planOf ? input.planOf(policy) : input.engine.resolve(policy);
  if (!resolved.plan) {
    const reasons = resolved.errors.map((error) => error.message).join('; ');
    return fail([mutateErrors.error('policy-unusable', '', `${policy.kind} ${policy.namespace}/${policy.name} matches, but cannot be used: ${reasons}`)]);
  }
  const podChanges = input.engine.podChanges(resolved.plan, workload.pod, input.kubernetesVersion);
  const changes = podChanges.ok ? ok(podChanges.value, [...overlap, ...podChanges.warnings]) : fail(podChanges.errors, [...overlap, ...podChanges.warnings]);
  if (!changes.ok) return changes;

  const writer = new PatchWriter(workload.object, input.operationStyle ?? 'rfc6902');
  // vArmor's first operation: the object's annotations, for mutatedAt (for a Pod, also where its changes go).
  writer.ensureObject(['metadata', 'annotations']);
  const prefix = writer.operations.length;
  const written = writePodChanges(writer, workload, changes.value);
  if (!written.ok) return fail(written.errors, changes.warnings);
  if (writer.operations.length === prefix) return ok({ ...unchanged, policy }, changes.warnings);
  writer.set(['metadata', 'annotations', MUTATED_AT_ANNOTATION], rfc3339(input.now));
  return ok({ policy, operations: writer.operations, object: writer.patched }, changes.warnings);
}

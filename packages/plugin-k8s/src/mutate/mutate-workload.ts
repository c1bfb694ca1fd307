import type { Engine, EnforcerPodChanges, KubernetesVersion, Plan, PolicyError, PolicyIR, Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { mutateErrors } from './errors.js';
import type { PatchOperation } from './json-patch.js';
import { hasMatchLabels, type MatchLabels } from './match-labels.js';
import { formatKubeArmorSets, KUBEARMOR_SET_LABEL, KUBEARMOR_SETS_ANNOTATION, memberKeyOf } from '../cluster/kubearmor-sets.js';
import { kubeArmorSetsOf } from './kubearmor-match.js';
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
  /** The policy that matched, if any (of the first containers, merged when several KubeArmor policies select them). */
  policy?: PolicyIR;
  /** The JSON patch; empty when nothing is to change (no policy, or the object already has every change). */
  operations: PatchOperation[];
  /** The object with the patch applied (the object itself when the patch is empty). */
  object: Record<string, unknown>;
}

/** Policies that select one container and cannot be merged (two namespaces' ...): the first is applied. */
function overlapWarning(policies: readonly PolicyIR[], containers: readonly string[], errors: readonly PolicyError[]): PolicyError {
  const [first, ...others] = policies.map((policy) => `${policy.kind} ${policy.clusterScoped ? '' : `${policy.namespace}/`}${policy.name}`);
  const reasons = errors.map((error) => error.message).join('; ');
  return mutateErrors.error(
    'policies-overlap',
    '',
    `${first} is applied to ${containers.join(', ')}; ${others.join(', ')} also select${others.length === 1 ? 's' : ''} ${containers.length === 1 ? 'it' : 'them'} and cannot be merged with it (${reasons})`,
  );
}

/** What one group of containers gets: the policy (merged, for several KubeArmor policies) and the pod's containers it is for. */
interface Application {
  policy: PolicyIR;
  /** Undefined: the policy's own target containers (vArmor). */
  containers?: readonly string[];
  /** The members of a merged policy, for the pod's mark. */
  members?: readonly PolicyIR[];
  warnings: PolicyError[];
}

/** The policies a workload gets: the vArmor policy it matches, else per group of containers their KubeArmor policies, merged. */
function applicationsOf(input: MutateInput): Application[] {
  const { workload } = input;
  // vArmor's policies need the match labels; KubeArmor's apply to every pod their selector matches, as KubeArmor's do.
  const varmor = hasMatchLabels(workload, input.matchLabels) ? matchPolicy(input.policies, workload) : undefined;
  if (varmor) return [{ policy: varmor, warnings: [] }];
  return kubeArmorSetsOf(input.policies, workload).map(({ members, containers }): Application => {
    const [first] = members;
    if (!first) throw new TypeError('a container set without policies');
    if (members.length === 1) return { policy: first, containers, warnings: [] };
    const merged = input.engine.combine(members);
    return merged.policy ? { policy: merged.policy, containers, members, warnings: [] } : { policy: first, containers, warnings: [overlapWarning(members, containers, merged.errors)] };
  });
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
  const applications = applicationsOf(input);
  const [main] = applications;
  if (!main) return ok(unchanged);
  const all: EnforcerPodChanges[] = [];
  const warnings: PolicyError[] = [];
  const sets: Record<string, string[]> = {};
  for (const application of applications) {
    const { policy } = application;
    warnings.push(...application.warnings);
    // A merged policy is made here, per pod: the webhook's plans are kept per policy object.
    const resolved = input.planOf && !application.members ? input.planOf(policy) : input.engine.resolve(policy);
    if (!resolved.plan) {
      const reasons = resolved.errors.map((error) => error.message).join('; ');
      return fail([mutateErrors.error('policy-unusable', '', `${policy.kind} ${policy.namespace}/${policy.name} matches, but cannot be used: ${reasons}`)], warnings);
    }
    const containers = application.containers;
    const pod = containers ? { ...workload.pod, containers: workload.pod.containers.filter((container) => containers.includes(container.name)) } : workload.pod;
    const podChanges = input.engine.podChanges(resolved.plan, pod, input.kubernetesVersion);
    warnings.push(...podChanges.warnings);
    if (!podChanges.ok) return fail(podChanges.errors, warnings);
    all.push(...podChanges.value);
    if (application.members) sets[resolved.plan.profileName] = application.members.map(memberKeyOf);
  }

  const writer = new PatchWriter(workload.object, input.operationStyle ?? 'rfc6902');
  // vArmor's first operation: the object's annotations, for mutatedAt (for a Pod, also where its changes go).
  writer.ensureObject(['metadata', 'annotations']);
  const prefix = writer.operations.length;
  const written = writePodChanges(writer, workload, all);
  if (!written.ok) return fail(written.errors, warnings);
  // Merged profiles: the controller makes their ArmorProfiles from this mark (cluster/kubearmor-sets.ts).
  if (Object.keys(sets).length > 0) {
    writer.set([...workload.podMetadataPath, 'annotations', KUBEARMOR_SETS_ANNOTATION], formatKubeArmorSets(sets));
    writer.set([...workload.podMetadataPath, 'labels', KUBEARMOR_SET_LABEL], 'true');
  }
  const policy = main.policy;
  if (writer.operations.length === prefix) return ok({ ...unchanged, policy }, warnings);
  writer.set(['metadata', 'annotations', MUTATED_AT_ANNOTATION], rfc3339(input.now));
  return ok({ policy, operations: writer.operations, object: writer.patched }, warnings);
}

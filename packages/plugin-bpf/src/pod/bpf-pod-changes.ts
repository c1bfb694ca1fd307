import { type BpfPlan, type PodChange, type PodChangeContext, type Result, ok } from '@armorkit/core';

/** The annotation the node agent reads to apply a BPF profile to a container; `unconfined` opts the container out. */
export const bpfAnnotationKey = (container: string) => `container.bpf.security.beta.varmor.org/${container}`;

/**
 * How a pod must change to run its targeted containers under the policy's BPF profile (reference §6.3): one
 * annotation per container, which the node agent reads when the container starts; opted-out containers are left alone.
 */
export function bpfPodChanges(plan: BpfPlan, context: PodChangeContext): Result<PodChange[]> {
  return ok(
    context.containers
      .filter((container) => context.pod.annotations[bpfAnnotationKey(container.name)] !== 'unconfined')
      .map((container) => ({ kind: 'annotation', key: bpfAnnotationKey(container.name), value: `localhost/${plan.profileName}`, container: container.name })),
  );
}

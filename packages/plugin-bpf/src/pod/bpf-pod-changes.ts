import { type BpfPlan, type PodChange, type PodChangeContext, type Result, kubernetesVersionAtLeast, ok } from '@armorkit/core';

/** The annotation the node agent reads to apply a BPF profile to a container; `unconfined` opts the container out. */
export const bpfAnnotationKey = (container: string) => `container.bpf.security.beta.varmor.org/${container}`;

export interface BpfPodOptions {
  /**
   * vArmor's `--bpfExclusiveMode`: a container the BPF profile confines runs AppArmor-unconfined (the runtime's default
   * AppArmor profile would deny what the BPF profile allows). Not when the policy has AppArmor too (its profile wins,
   * as in vArmor), and never over an AppArmor profile or annotation the container already has.
   */
  exclusive?: boolean;
}

/**
 * How a pod must change to run its targeted containers under the policy's BPF profile (reference §6.3): one
 * annotation per container, which the node agent reads when the container starts; opted-out containers are left alone.
 */
export function bpfPodChanges(plan: BpfPlan, context: PodChangeContext, options: BpfPodOptions = {}): Result<PodChange[]> {
  const changes: PodChange[] = [];
  const exclusive = options.exclusive === true && context.plan.enforcers.AppArmor === undefined;
  const generallyAvailable = kubernetesVersionAtLeast(context.kubernetesVersion, 1, 30);
  for (const container of context.containers) {
    if (context.pod.annotations[bpfAnnotationKey(container.name)] === 'unconfined') continue;
    changes.push({ kind: 'annotation', key: bpfAnnotationKey(container.name), value: `localhost/${plan.profileName}`, container: container.name });
    if (!exclusive) continue;
    const kubeletKey = `container.apparmor.security.beta.kubernetes.io/${container.name}`;
    const own = context.pod.annotations[kubeletKey];
    if (!generallyAvailable && (own === undefined || own === 'unconfined')) changes.push({ kind: 'annotation', key: kubeletKey, value: 'unconfined', container: container.name });
    if (generallyAvailable && own === undefined && (container.appArmorProfile === undefined || container.appArmorProfile.type === 'Unconfined')) {
      changes.push({ kind: 'container-security-profile', container: container.name, field: 'appArmorProfile', value: { type: 'Unconfined' } });
    }
  }
  return ok(changes);
}

import type { PolicyIR } from '@armorkit/core';
// The kubearmor dialect's entry of PolicyIR.dialectPolicy (declaration merging).
import type {} from '@armorkit/plugin-kubearmor';
import { selectsContainer, selectsPod } from '@armorkit/plugin-kubearmor/parse';
import type { Workload } from './workload.js';

const byName = (a: PolicyIR, b: PolicyIR) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Whether a KubeArmor policy applies to the workload as KubeArmor decides it: Pods only (KubeArmor's webhook
 * annotates pods as they are created, not their controllers' templates), the selector read with KubeArmor's
 * semantics (a KubeArmorPolicy's namespace and labels, a KubeArmorClusterPolicy's namespace and label
 * expressions), and at least one of the pod's containers named by it. No match label: KubeArmor has none. A
 * KubeArmorHostPolicy selects nodes, never a pod.
 */
export function kubeArmorSelects(policy: PolicyIR, workload: Workload): boolean {
  const parsed = policy.dialectPolicy?.kubearmor;
  if (!parsed || workload.kind !== 'Pod' || parsed.target.kind === 'host') return false;
  if (!selectsPod(parsed.target, { namespace: workload.namespace, labels: workload.labels })) return false;
  return workload.pod.containers.some((container) => selectsContainer(parsed.target, container.name));
}

/**
 * Every KubeArmor policy that selects the workload: KubeArmorClusterPolicies first, then the namespace's
 * KubeArmorPolicies, each by name (the first is the one the pod gets; docs/kubearmor.md#in-a-cluster).
 */
export function kubeArmorPoliciesOf(policies: readonly PolicyIR[], workload: Workload): PolicyIR[] {
  const selecting = policies.filter((policy) => kubeArmorSelects(policy, workload));
  return [...selecting.filter((policy) => policy.clusterScoped).sort(byName), ...selecting.filter((policy) => !policy.clusterScoped).sort(byName)];
}

/** Containers of a pod that the same KubeArmor policies select, and those policies (in kubeArmorPoliciesOf's order). */
export interface KubeArmorContainerSet {
  members: PolicyIR[];
  containers: string[];
}

/**
 * The pod's containers grouped by the KubeArmor policies that select each (KubeArmor gives each container the merge
 * of its policies): one group per distinct list of policies, in container order; containers no policy selects are left out.
 */
export function kubeArmorSetsOf(policies: readonly PolicyIR[], workload: Workload): KubeArmorContainerSet[] {
  const selecting = kubeArmorPoliciesOf(policies, workload);
  const groups = new Map<string, KubeArmorContainerSet>();
  for (const container of workload.pod.containers) {
    const members = selecting.filter((policy) => {
      const parsed = policy.dialectPolicy?.kubearmor;
      return parsed !== undefined && selectsContainer(parsed.target, container.name);
    });
    if (members.length === 0) continue;
    const key = members.map((policy) => `${policy.kind}/${policy.namespace}/${policy.name}`).join('\n');
    const group = groups.get(key);
    if (group) group.containers.push(container.name);
    else groups.set(key, { members, containers: [container.name] });
  }
  return [...groups.values()];
}

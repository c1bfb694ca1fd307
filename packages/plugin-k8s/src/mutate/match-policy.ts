import type { PolicyIR } from '@armorkit/core';
import { selectorMatches } from './label-selector.js';
import type { Workload } from './workload.js';

const byName = (a: PolicyIR, b: PolicyIR) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The vArmor policy a workload gets (reference §6.3): cluster policies first, then the policies of its namespace; the first
 * whose target has the workload's kind and its name, or a selector its labels match. vArmor takes them in cache
 * order (any one of several matches); we take them by name, so the answer is the same every time.
 */
export function matchPolicy(policies: readonly PolicyIR[], workload: Workload): PolicyIR | undefined {
  // KubeArmor's policies select pods their own way (kubearmor-match.ts).
  const varmor = policies.filter((policy) => policy.dialect !== 'kubearmor');
  const cluster = varmor.filter((policy) => policy.clusterScoped).sort(byName);
  const namespaced = varmor.filter((policy) => !policy.clusterScoped && policy.namespace === workload.namespace).sort(byName);
  return [...cluster, ...namespaced].find((policy) => targets(policy, workload));
}

function targets(policy: PolicyIR, workload: Workload): boolean {
  const target = policy.spec.target;
  if (target.kind !== workload.kind) return false;
  if (target.name !== undefined) return target.name === workload.name;
  return target.selector !== undefined && selectorMatches(target.selector, workload.labels);
}

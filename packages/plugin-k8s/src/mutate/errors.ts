import { defineErrors } from '@armorkit/core';

/** The codes the mutating webhook (and `armorkit k8s mutate`) raises about the objects it is given. */
export const mutateErrors = defineErrors('@armorkit/plugin-k8s', {
  'workload-invalid': { description: 'The object is not a Pod, Deployment, StatefulSet or DaemonSet the webhook can read (a field of the wrong type, no containers, two containers of one name); the message names the field.' },
  'workload-kind-unsupported': { description: 'The object is of a kind the mutating webhook does not change (only Pods, Deployments, StatefulSets and DaemonSets).' },
  'match-label-invalid': { description: 'A webhook match label is not `key=value` with a Kubernetes label key and value, gives a key a second value, or is empty (no label needed) beside others.' },
  'policy-unusable': { description: 'The policy that matches the workload cannot be resolved into a plan (it would have been refused by the validating webhook); the workload is left unchanged.' },
  'policies-overlap': { severity: 'warning', description: 'Several KubeArmor policies select a container and cannot be merged into one profile (no enforcer takes their rules together); the container gets the first (KubeArmorClusterPolicies before KubeArmorPolicies, by name), and the warning says why.' },
  'pod-change-conflict': { description: 'Two enforcers of the policy want different values at one place of the pod; the workload is left unchanged.' },
  'pod-change-invalid': { description: 'An enforcer plugin asked to change a container the pod does not have (a bug in that plugin); the workload is left unchanged.' },
  'kubernetes-version-unknown': { description: 'The API server\'s version could not be read or understood, and the AppArmor patch depends on it (1.30 made it a securityContext field).' },
});

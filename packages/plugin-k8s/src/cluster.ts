// @armorkit/plugin-k8s/cluster: the webhook's in-cluster policy source (informers on VarmorPolicies and
// VarmorClusterPolicies, the API server's /version). Its own entry because @kubernetes/client-node costs most of a
// second to load, which the offline commands (`k8s mutate`, `validate --previous`) should not pay.
export { clusterPolicySource, type ClusterPolicySource, type ClusterPolicySourceOptions } from './cluster/policy-source.js';
export { loadDefaultKubeConfig } from './cluster/kube-config.js';

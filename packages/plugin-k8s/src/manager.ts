// @armorkit/plugin-k8s/manager: `armorkit k8s manager` — the controller (policies → ArmorProfiles, statuses,
// NetworkProxy Secrets, rolling restarts, toServices / toPods addresses) under leader election. Its own entry:
// @kubernetes/client-node is loaded only by the commands that talk to a cluster.
export { startManager } from './controller/manager.js';
export { ControllerMetrics } from './controller/controller-metrics.js';
export { DEFAULT_NAMESPACE } from './controller/names.js';
export { EgressAddresses } from './controller/egress/addresses.js';
export { NamespacePostures } from './controller/namespace-postures.js';
export { loadDefaultKubeConfig, loadKubeConfig } from './cluster/kube-config.js';
export { readPolicyStatus } from './status/read-status.js';
export type { PolicyReport } from './status/policy-report.js';

// @armorkit/plugin-k8s/manager: `armorkit k8s manager` — the controller (policies → ArmorProfiles, statuses,
// NetworkProxy Secrets) under leader election. Its own entry: @kubernetes/client-node is loaded only by the commands
// that talk to a cluster.
export { startController, type Controller, type ControllerOptions, type ControllerStats } from './controller/controller.js';
export { startManager, defaultIdentity, type Manager, type ManagerOptions } from './controller/manager.js';
export { ControllerMetrics } from './controller/controller-metrics.js';
export type { ControllerHooks, EgressResolver, ProfileChange } from './controller/hooks.js';
export { DEFAULT_LEASE_NAME, DEFAULT_NAMESPACE, PROFILE_FINALIZER } from './controller/names.js';
export { startLeaderElection, type LeaderElector, type LeaderElectionOptions } from './leader/lease.js';
export { loadDefaultKubeConfig, loadKubeConfig } from './cluster/kube-config.js';

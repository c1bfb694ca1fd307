// @armorkit/plugin-k8s/agent: `armorkit k8s agent` — the node agent (ArmorProfiles and the node's pods watched,
// profiles loaded on the node, ArmorNodeStatus reported, violations.log written). Its own entry: it loads
// @kubernetes/client-node, which only the commands that talk to a cluster should pay for.
export { AGENT_DEFAULTS, startNodeAgent } from './agent/node-agent.js';
export { DEFAULT_AUDIT_LOGS } from './agent/violations.js';
export { loadKubeConfig } from './cluster/kube-config.js';

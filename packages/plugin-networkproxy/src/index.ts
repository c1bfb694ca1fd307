// @armorkit/plugin-networkproxy: the NetworkProxy enforcer plugin and its error codes (docs/networkproxy.md); its
// artifact data is the proxy's configuration. The decision table and its decider are @armorkit/plugin-networkproxy/decision,
// the configuration file's schema and secrets @armorkit/plugin-networkproxy/config, the iptables capture rules
// @armorkit/plugin-networkproxy/capture. Its pod changes (Kubernetes) are the backend's podChanges.
export { networkproxy, networkproxy as default, type NetworkProxyPluginOptions } from './plugin.js';
export { networkProxyErrors } from './errors.js';
export type { ProxyConfig } from './config/proxy-config.js';
export type { Decider, DecidingRule, Decision, Destination, TrafficFacts } from './decision/facts.js';

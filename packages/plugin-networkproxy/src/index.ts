// @armorkit/plugin-networkproxy: the NetworkProxy enforcer (docs/networkproxy.md): the plugin, the decision table
// compiled from a policy's egress rules and its decider, the proxy's configuration, the capture rules.
export { networkproxy, networkproxy as default } from './plugin.js';
export { networkProxyErrors, type NetworkProxyErrorCode } from './errors.js';
export type { Decider, DecidingRule, Decision, Destination, TrafficFacts } from './decision/facts.js';
export { createDecider } from './decision/decider.js';
export { normalizeRequestPath, requestHostName } from './decision/request.js';
export { decisionTableSchema, type DecisionTable, type HttpRule, type L4Rule, type PathMatch, type PortInterval } from './decision/table.js';
export {
  formatProxyConfig,
  mitmDomainProblem,
  parseProxyConfig,
  proxyConfigSchema,
  type AuditSettings,
  type HeaderSetting,
  type MitmSettings,
  type ProxyConfig,
  type SecretRef,
  type SpoofingProtection,
} from './config/proxy-config.js';
export { compileDecisionTable, compileEgress } from './compile/compile-table.js';
export { compileProxyConfig, PROXY_DEFAULTS } from './compile/proxy-config.js';
export { networkProxyArtifact, PROXY_CONFIG_SUFFIX } from './compile/artifact.js';
export { runProxy, type RunningProxy, type RunProxyOptions } from './proxy/run-proxy.js';
export { ProxyServer, type ListeningAddress, type ProxyServerOptions } from './proxy/proxy-server.js';
export { DEFAULT_LIMITS, type ProxyLimits } from './proxy/proxy-context.js';
export type { ResolveAll } from './proxy/name-addresses.js';

// @armorkit/plugin-networkproxy/proxy: the data plane (`armorkit proxy`): the transparent listener, its admin
// endpoint, the limits it enforces. Only the proxy's process loads it (koffi for SO_ORIGINAL_DST comes with it).
export { ProxyConfigError, runProxy, type RunningProxy, type RunProxyOptions } from '../proxy/run-proxy.js';
export { ProxyServer, type ListeningAddress, type ProxyServerOptions } from '../proxy/proxy-server.js';
export { DEFAULT_LIMITS, type ProxyLimits } from '../proxy/proxy-context.js';
export type { ResolveAll } from '../proxy/name-addresses.js';
export { INTERNAL_ERROR_EXIT, serveUntilStopped } from '../proxy/serve.js';

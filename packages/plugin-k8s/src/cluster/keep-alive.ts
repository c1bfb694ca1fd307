// client-node 1.x makes a new http(s).Agent for every request (KubeConfig.applySecurityAuthentication), so every
// request opens a connection (and, against a real API server, a TLS handshake) and closes it. The controller makes a
// request per write: with thousands of them in a wave, connections dominate. This keeps one keep-alive agent per
// set of TLS options instead, for the KubeConfig's API clients; tokens stay per request (they are headers).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

const shared = new WeakSet<KubeConfig>();
type Context = Parameters<KubeConfig['applySecurityAuthentication']>[0];

const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** Makes `kubeConfig`'s API clients reuse connections (once per KubeConfig; proxy agents are left as they are). */
export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  if (shared.has(kubeConfig)) return kubeConfig;
  shared.add(kubeConfig);
  const apply = kubeConfig.applySecurityAuthentication.bind(kubeConfig);
  let kept: { key: string; agent: HttpAgent } | undefined;
  kubeConfig.applySecurityAuthentication = async (context: Context) => {
    await apply(context);
    const fresh: unknown = context.getAgent();
    // Only plain agents: a proxy agent (hpagent, socks) is a subclass with its own constructor arguments.
    if (!(fresh instanceof HttpAgent) || (fresh.constructor !== HttpAgent && fresh.constructor !== HttpsAgent)) return;
    const options = (fresh as HttpAgent & { options: AgentOptions }).options;
    const key = JSON.stringify([fresh.constructor === HttpsAgent, ...TLS_KEYS.map((name) => options[name] ?? null)]);
    if (kept?.key !== key) {
      kept?.agent.destroy();
      const settings = { ...options, keepAlive: true };
      kept = { key, agent: fresh.constructor === HttpsAgent ? new HttpsAgent(settings) : new HttpAgent(settings) };
    }
    fresh.destroy();
    context.setAgent(kept.agent);
  };
  return kubeConfig;
}

// A proxy configuration put to work: the decider from its table, the listener on proxyPort, the admin endpoint,
// the audit sink. Reload reads the file again and swaps the table for new connections.
import type { Server } from 'node:http';
import { fileSink, streamSink, type ViolationSink } from '@armorkit/core/audit';
import { formatPolicyError, type Result } from '@armorkit/core';
import type { ProxyConfig } from '../config/proxy-config.js';
import { createDecider } from '../decision/decider.js';
import { startAdminServer } from './admin-server.js';
import type { ProxyLimits } from './proxy-context.js';
import { ProxyServer, type ListeningAddress } from './proxy-server.js';
import type { ResolveAll } from './name-addresses.js';

export interface RunProxyOptions {
  /** Reads the configuration again (for reload). */
  readConfig(): Promise<Result<ProxyConfig>> | Result<ProxyConfig>;
  /** Where the audit events of `{to: "stderr"}` go (the process's stderr by default). */
  stderr?: NodeJS.WritableStream;
  /** Listen addresses of proxyPort, over the configuration's `listen` (default `127.0.0.1` and `::1`). */
  hosts?: string[];
  limits?: Partial<ProxyLimits>;
  resolve?: ResolveAll;
}

export interface RunningProxy {
  addresses: ListeningAddress[];
  adminPort: number;
  proxy: ProxyServer;
  reload(): Promise<{ ok: true } | { ok: false; problems: string[] }>;
  close(): Promise<void>;
}

function auditSink(config: ProxyConfig, stderr: NodeJS.WritableStream): ViolationSink {
  return config.audit.events.to === 'file' ? fileSink({ path: config.audit.events.path }) : streamSink(stderr);
}

/** Fields a reload cannot change without a restart (the sockets and the sink are open already). */
function restartFields(before: ProxyConfig, after: ProxyConfig): string[] {
  const fields: string[] = [];
  if (before.proxyPort !== after.proxyPort) fields.push('proxyPort');
  if (before.proxyAdminPort !== after.proxyAdminPort) fields.push('proxyAdminPort');
  if (before.proxyUID !== after.proxyUID) fields.push('proxyUID');
  if (JSON.stringify(before.listen) !== JSON.stringify(after.listen)) fields.push('listen');
  if (JSON.stringify(before.audit) !== JSON.stringify(after.audit)) fields.push('audit');
  if (JSON.stringify(before.spoofingProtection) !== JSON.stringify(after.spoofingProtection)) fields.push('spoofingProtection');
  return fields;
}

export async function runProxy(config: ProxyConfig, options: RunProxyOptions): Promise<RunningProxy> {
  let current = config;
  const proxy = await ProxyServer.start({
    port: config.proxyPort,
    ...((options.hosts ?? config.listen) && { hosts: [...(options.hosts ?? config.listen ?? [])] }),
    decider: createDecider(config.decisions),
    ...(options.limits && { limits: options.limits }),
    nameCheck: config.spoofingProtection.enabled ? { ttlSeconds: config.spoofingProtection.maxCacheSeconds, ...(options.resolve && { resolve: options.resolve }) } : false,
    audit: { sink: auditSink(config, options.stderr ?? process.stderr), profileName: config.audit.profileName },
  });
  const reload = async (): Promise<{ ok: true } | { ok: false; problems: string[] }> => {
    const read = await options.readConfig();
    if (!read.ok) return { ok: false, problems: read.errors.map(formatPolicyError) };
    const fields = restartFields(current, read.value);
    if (fields.length > 0) return { ok: false, problems: [`${fields.join(', ')} changed: restart the proxy to apply them (the decision table was not reloaded)`] };
    proxy.reload(createDecider(read.value.decisions));
    current = read.value;
    return { ok: true };
  };
  let admin: Server;
  try {
    admin = await startAdminServer(config.proxyAdminPort, { ready: () => true, stats: proxy.stats, reload });
  } catch (error) {
    await proxy.close();
    throw error;
  }
  return {
    addresses: proxy.addresses,
    adminPort: config.proxyAdminPort,
    proxy,
    reload,
    close: async () => {
      admin.closeAllConnections();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
      await proxy.close();
    },
  };
}

// A proxy configuration put to work: the decider from its table, the listener on proxyPort, the admin endpoint,
// the audit sink. Reload reads the file again and swaps the table for new connections.
import type { Server } from 'node:http';
import { fileSink, streamSink, type ViolationSink } from '@armorkit/core/audit';
import { formatPolicyError, ok, type PolicyError, type Result } from '@armorkit/core';
import type { ProxyConfig } from '../config/proxy-config.js';
import { resolveHeaderSecrets, secretsFromEnvironment, type SecretSource } from '../config/secrets.js';
import { createDecider } from '../decision/decider.js';
import type { Decider } from '../decision/facts.js';
import { startAdminServer } from './admin-server.js';
import { loadMitmRuntime, type MitmRuntime, type MitmRuntimeOptions } from './mitm/mitm-runtime.js';
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
  /** Where secretRef header values come from (default: the environment, secretsFromEnvironment). */
  secrets?: SecretSource;
  /** The MITM runtime's leaf cache and system bundle (tests). */
  mitm?: MitmRuntimeOptions;
}

/** A configuration the proxy cannot run with (a secret not found, the MITM CA unreadable): its problems. */
export class ProxyConfigError extends Error {
  constructor(readonly errors: PolicyError[]) {
    super(errors.map(formatPolicyError).join('\n'));
  }
}

/** What a configuration becomes in the proxy: its decider (with its mitm domains) and, with mitm, the CA and trust. */
export async function prepareProxyTables(config: ProxyConfig, options: Pick<RunProxyOptions, 'secrets' | 'mitm'> = {}): Promise<Result<{ decider: Decider; mitm: MitmRuntime | undefined }>> {
  const resolved = resolveHeaderSecrets(config, options.secrets ?? secretsFromEnvironment());
  if (!resolved.ok) return resolved;
  const decider = createDecider(config.decisions, config.mitm ? { mitmDomains: config.mitm.domains } : {});
  if (!resolved.value.mitm) return ok({ decider, mitm: undefined });
  const mitm = await loadMitmRuntime(resolved.value.mitm, options.mitm);
  return mitm.ok ? ok({ decider, mitm: mitm.value }) : mitm;
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

/** Starts the proxy; rejects with a ProxyConfigError when the configuration cannot be put to work. */
export async function runProxy(config: ProxyConfig, options: RunProxyOptions): Promise<RunningProxy> {
  let current = config;
  const tables = await prepareProxyTables(config, options);
  if (!tables.ok) throw new ProxyConfigError(tables.errors);
  const proxy = await ProxyServer.start({
    port: config.proxyPort,
    ...((options.hosts ?? config.listen) && { hosts: [...(options.hosts ?? config.listen ?? [])] }),
    decider: tables.value.decider,
    ...(tables.value.mitm && { mitm: tables.value.mitm }),
    ...(options.limits && { limits: options.limits }),
    nameCheck: config.spoofingProtection.enabled ? { ttlSeconds: config.spoofingProtection.maxCacheSeconds, ...(options.resolve && { resolve: options.resolve }) } : false,
    audit: { sink: auditSink(config, options.stderr ?? process.stderr), profileName: config.audit.profileName },
  });
  const reload = async (): Promise<{ ok: true } | { ok: false; problems: string[] }> => {
    const read = await options.readConfig();
    if (!read.ok) return { ok: false, problems: read.errors.map(formatPolicyError) };
    const fields = restartFields(current, read.value);
    if (fields.length > 0) return { ok: false, problems: [`${fields.join(', ')} changed: restart the proxy to apply them (the decision table was not reloaded)`] };
    const next = await prepareProxyTables(read.value, options);
    if (!next.ok) return { ok: false, problems: next.errors.map(formatPolicyError) };
    proxy.reload(next.value.decider, next.value.mitm);
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

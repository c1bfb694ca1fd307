import { spawnSync } from 'node:child_process';
import { type Artifact, type ConfinementStep, type Result, fail, ok } from '@armorkit/core';
import { fileSink, type ViolationSink } from '@armorkit/core/audit';
import { applyCapture } from '../capture/apply.js';
import { networkProxyErrors } from '../errors.js';
import type { MitmCaFiles } from '../pki/ca-files.js';
import { type RunProxyProcess, proxyHelperScript, startProxyProcess } from './proxy-process.js';
import { createRunNetwork, type RunNetwork } from './run-network.js';
import { prepareRunTrust, type RunTrust } from './run-trust.js';

/**
 * Capabilities the command loses: with them a root command could undo the capture (iptables: NET_ADMIN), send
 * packets around it (raw sockets: NET_RAW), become the proxy's UID, whose connections are not captured (SETUID),
 * or reach into the proxy (SYS_PTRACE, SYS_MODULE). SYS_ADMIN stays: BPF's step needs it after this one (see docs).
 */
export const DROPPED_CAPABILITIES = ['net_admin', 'net_raw', 'setuid', 'sys_ptrace', 'sys_module'] as const;

export interface NetworkProxyRunOptions {
  /** Where the run's events are written besides being shown (default: the configuration's audit.events file). */
  eventsFile?: string;
  /** With MITM: the CA the run's proxy signs with (one the command's clients trust already); default: one made per run. */
  mitmCa?: MitmCaFiles;
}

function missingTools(): string[] {
  return ['ip', 'iptables', 'iptables-restore', 'ip6tables-restore', 'nsenter', 'setpriv'].filter(
    (tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined,
  );
}

function unavailable(message: string): Result<ConfinementStep> {
  return fail([networkProxyErrors.error('networkproxy-run-unavailable', '', message)]);
}

function runFailed(message: string): Result<ConfinementStep> {
  return fail([networkProxyErrors.error('networkproxy-run-failed', '', message)]);
}

/**
 * `armorkit run` for NetworkProxy: the command gets a network namespace of its own (veth to the host, NAT there),
 * the capture rules inside it, and the policy's proxy listening there as its proxyUID for the run; the step's
 * prefix enters the namespace and drops DROPPED_CAPABILITIES; the proxy's events are the step's reports (and are
 * written to the events file). Cleanup stops the proxy and removes the namespace, the veth and the host's rules;
 * a failure on the way removes what was made before reporting it.
 */
export async function confineWithNetworkProxy(artifact: Artifact<'NetworkProxy'>, options: NetworkProxyRunOptions = {}): Promise<Result<ConfinementStep>> {
  if (process.getuid?.() !== 0) return unavailable('it needs root (a network namespace, a veth pair, iptables rules on the host)');
  const missing = missingTools();
  if (missing.length > 0) return unavailable(`${missing.join(', ')} not found (Debian: iproute2, iptables, util-linux)`);
  const helper = proxyHelperScript();
  if (!helper) return unavailable('the proxy helper is not built (run `pnpm exec tsc -b packages/plugin-networkproxy`)');
  let network: RunNetwork;
  try {
    network = createRunNetwork();
  } catch (error) {
    return runFailed(`the run's network could not be set up: ${error instanceof Error ? error.message : String(error)}`);
  }
  const removeNetwork = (): void => {
    network.remove();
  };
  let config = artifact.data;
  let trust: RunTrust | undefined;
  if (config.mitm) {
    try {
      const prepared = await prepareRunTrust(network.id, config.proxyUID, options.mitmCa);
      if (!prepared.ok) {
        removeNetwork();
        return fail(prepared.errors);
      }
      trust = prepared.value;
    } catch (error) {
      removeNetwork();
      return runFailed(`the run's MITM CA could not be written: ${error instanceof Error ? error.message : String(error)}`);
    }
    config = { ...config, mitm: { ...config.mitm, ca: trust.ca } };
  }
  // The capture rules go away with the namespace; applying them is the part that can fail on its own.
  const capture = await applyCapture(network.namespace, { proxyUID: config.proxyUID, proxyPort: config.proxyPort, proxyAdminPort: config.proxyAdminPort });
  if (!capture.ok) {
    removeNetwork();
    return fail(capture.errors);
  }
  const eventsFile = options.eventsFile ?? (config.audit.events.to === 'file' ? config.audit.events.path : undefined);
  let sink: ViolationSink | undefined;
  let proxy: RunProxyProcess;
  try {
    sink = eventsFile ? fileSink({ path: eventsFile }) : undefined;
    proxy = await startProxyProcess({ namespace: network.namespace, helper, config, ...(sink ? { sink } : {}) });
  } catch (error) {
    await sink?.close();
    removeNetwork();
    return runFailed(`the run's proxy: ${error instanceof Error ? error.message : String(error)}`);
  }
  let cleaned = false;
  const capabilities = DROPPED_CAPABILITIES.map((name) => `-${name}`).join(',');
  // The command's TLS clients trust the run's CA through the variables OpenSSL, curl, Python and Node read.
  const variables = Object.entries(trust?.environment ?? {}).map(([name, value]) => `${name}=${value}`);
  const addresses = [network.namespaceAddress, ...(network.namespaceAddress6 ? [network.namespaceAddress6] : [])].join(', ');
  const through = [network.hostAddress, ...(network.hostAddress6 ? [network.hostAddress6] : [])].join(', ');
  return ok({
    enforcer: 'NetworkProxy',
    // Outermost: the namespace is entered first, so every later step (BPF's mount namespace, seccomp, aa-exec) and
    // the command live in it; the capabilities BPF's step still needs (SYS_ADMIN, BPF) are kept.
    stage: -10,
    summary:
      `network namespace ${network.namespace} (${addresses}, NAT through ${network.hostDevice} ${through}), ` +
      `capture rules to the proxy (UID ${config.proxyUID}) ${proxy.listening}; the command without ${DROPPED_CAPABILITIES.join(', ')}` +
      (trust ? `; TLS of ${config.mitm?.domains.join(', ')} intercepted with ${trust.generated ? "the run's own CA" : 'the CA given'} ${trust.ca.certificateFile}, trusted through ${Object.keys(trust.environment).join(', ')} = ${trust.bundleFile}` : '') +
      (eventsFile ? `; events to ${eventsFile}` : ''),
    prefix: () => ['nsenter', `--net=${network.namespacePath}`, '--', 'setpriv', '--inh-caps=-all', `--bounding-set=${capabilities}`, '--', ...(variables.length > 0 ? ['env', ...variables] : [])],
    reports: proxy.reports,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      await proxy.stop();
      removeNetwork();
    },
  });
}

import { resolve } from 'node:path';
import type { Engine } from '@armorkit/core';
import { formatListenAddress, type ListenAddress, parseListenAddress } from '@armorkit/plugin-k8s';
import { AGENT_DEFAULTS, DEFAULT_AUDIT_LOGS, loadKubeConfig, startNodeAgent } from '@armorkit/plugin-k8s/agent';
import { EXIT, type CliIO, UsageError } from '../io.js';
import type { K8sAgentFlags } from './k8s-agent-options.js';
import { stopped } from './k8s-manager.js';

/** The agent's settings after defaults and checks: what `startNodeAgent` is given. */
export interface AgentSettings {
  node: string;
  kubeconfig?: string;
  readiness: ListenAddress;
  violationsLog?: string;
  auditLogs: string[];
  seccompDirectory: string;
  proc: string;
}

// A node's name is a DNS subdomain (RFC 1123): what the downward API gives, never `$(NODE_NAME)` left unexpanded.
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The flags (and NODE_NAME) → the agent's settings, or a UsageError naming the flag, the value and the reason. */
export function agentSettings(flags: K8sAgentFlags, env: NodeJS.ProcessEnv, cwd: string): AgentSettings {
  const node = flags.nodeName ?? env.NODE_NAME;
  if (node === undefined || node === '') {
    throw new UsageError('--node-name: no node name: pass --node-name or set NODE_NAME (the DaemonSet sets it from spec.nodeName through the downward API)');
  }
  if (node.length > 253 || !NODE_NAME.test(node)) {
    throw new UsageError(`--node-name: ${JSON.stringify(node)} is not a node name (lower-case letters, digits, '-' and '.', at most 253 characters)`);
  }
  const readiness = flags.readiness === undefined ? { address: AGENT_DEFAULTS.readiness } : parseListenAddress(flags.readiness);
  if ('problem' in readiness) throw new UsageError(`--readiness: ${readiness.problem}`);
  const violationsLog = flags.violationsLog === false ? undefined : resolve(cwd, flags.violationsLog ?? AGENT_DEFAULTS.violationsLog);
  return {
    node,
    ...(flags.kubeconfig !== undefined ? { kubeconfig: resolve(cwd, flags.kubeconfig) } : {}),
    readiness: readiness.address,
    ...(violationsLog !== undefined ? { violationsLog } : {}),
    auditLogs: (flags.auditLog ?? DEFAULT_AUDIT_LOGS).map((path) => resolve(cwd, path)),
    seccompDirectory: resolve(cwd, flags.seccompDir ?? AGENT_DEFAULTS.seccompDirectory),
    proc: resolve(cwd, flags.proc ?? AGENT_DEFAULTS.proc),
  };
}

/**
 * `armorkit k8s agent`: the node agent until SIGTERM (docs/kubernetes.md#the-node-agent). Stopping leaves what is
 * loaded in place: the containers stay confined, and the next agent reads it back and reconciles.
 */
export async function k8sAgentCommand(engine: () => Promise<Engine>, flags: K8sAgentFlags, io: CliIO): Promise<number> {
  const settings = agentSettings(flags, process.env, io.cwd);
  // Listened for from the start: a SIGTERM while the first lists are read still stops the agent cleanly.
  const stop = stopped();
  const loaded = loadKubeConfig(settings.kubeconfig);
  if ('problem' in loaded) {
    io.err(`armorkit: ${loaded.problem}`);
    return EXIT.invalid;
  }
  const started = await startNodeAgent({
    engine: await engine(),
    kubeConfig: loaded.kubeConfig,
    node: settings.node,
    readiness: settings.readiness,
    seccompDirectory: settings.seccompDirectory,
    proc: settings.proc,
    auditLogs: settings.auditLogs,
    ...(settings.violationsLog !== undefined ? { violationsLog: settings.violationsLog } : {}),
    log: (line) => io.err(`armorkit: agent: ${line}`),
  });
  if ('problem' in started) {
    io.err(`armorkit: --readiness: ${started.problem}`);
    return EXIT.invalid;
  }
  const { agent } = started;
  io.err(`armorkit: agent on node ${settings.node}, readiness on http://${formatListenAddress(agent.readinessAddress ?? settings.readiness)}/health/readiness`);
  void agent.ready.then(() => io.err(`armorkit: agent ready: profiles and pods listed, node ${settings.node} reconciled and reported`));
  const why = await stop;
  await agent.stop();
  io.err(`armorkit: agent stopped (${why}); what is loaded stays loaded`);
  return EXIT.ok;
}

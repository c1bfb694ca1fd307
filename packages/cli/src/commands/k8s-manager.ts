import type { Engine, Plugin } from '@armorkit/core';
import { bpf } from '@armorkit/plugin-bpf';
import { kubearmor } from '@armorkit/plugin-kubearmor';
import { formatListenAddress, parseListenAddress, startMetricsServer } from '@armorkit/plugin-k8s';
import { EXIT, type CliIO, UsageError } from '../io.js';
import { requireKubeArmorDialect } from './kubearmor-dialect.js';
import { matchLabelsOption } from './match-labels.js';

export interface K8sManagerOptions {
  kubeconfig?: string;
  namespace?: string;
  leaseName?: string;
  metrics?: string;
  resync?: string;
  /** `--match-label`, repeatable: the webhook's labels; only workloads with all of them are restarted. */
  matchLabel?: string[];
  restartExistingWorkloads?: boolean;
  podEgress?: boolean;
  /** `--kubearmor`: watch KubeArmorPolicies, KubeArmorClusterPolicies and KubeArmorHostPolicies too. */
  kubearmor?: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `1h`, `500ms`: a Go-style duration of one unit. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : Number.NaN;
  if (!match || !(ms >= 1_000)) throw new UsageError(`${flag}: expected a duration of at least 1s such as 30s, 10m or 1h, got "${text}"`);
  return ms;
}

/** Resolves with the signal's name at the first SIGTERM (from the kubelet) or SIGINT (from a terminal). */
export function stopped(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      resolve(signal);
    };
    process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  });
}

/**
 * `armorkit k8s manager`: the controller under leader election until SIGTERM (docs/kubernetes.md#the-controller).
 * Losing the Lease ends the process (exit 1), as client-go's managers do: the restarted pod campaigns again.
 */
export async function k8sManagerCommand(engineWith: (plugins: readonly Plugin[]) => Promise<Engine>, options: K8sManagerOptions, io: CliIO): Promise<number> {
  const resync = options.resync !== undefined ? parseDuration('--resync', options.resync) : undefined;
  const metricsAddress = options.metrics !== undefined ? parseListenAddress(options.metrics) : undefined;
  if (metricsAddress && 'problem' in metricsAddress) throw new UsageError(`--metrics: ${metricsAddress.problem}`);
  const { ControllerMetrics, DEFAULT_NAMESPACE, EgressAddresses, loadKubeConfig, NamespacePostures, startManager } = await import('@armorkit/plugin-k8s/manager');
  const matchLabels = matchLabelsOption(options.matchLabel);
  // toServices / toPods: the BPF plugin compiles with the addresses the controller watches.
  const addresses = new EgressAddresses();
  // --kubearmor: KubeArmorPolicies compile with the posture annotations of the Namespaces the controller watches.
  const postures = options.kubearmor ? new NamespacePostures() : undefined;
  const kubeArmorDialect = postures ? kubearmor({ namespaceAnnotations: postures.lookup }) : undefined;
  const engine = await engineWith([bpf({ resolver: addresses.resolver }), ...(kubeArmorDialect ? [kubeArmorDialect] : [])]);
  if (options.kubearmor) requireKubeArmorDialect(engine, '--kubearmor');
  if (kubeArmorDialect && !engine.plugins.includes(kubeArmorDialect)) {
    io.err("armorkit: manager: the config's kubearmor() is used: the namespaces' posture annotations are not read (its own namespaceAnnotations apply)");
  }
  const loaded = loadKubeConfig(options.kubeconfig);
  if ('problem' in loaded) {
    io.err(`armorkit: ${loaded.problem}`);
    return EXIT.invalid;
  }
  let lost = false;
  let wake: () => void = () => {};
  const lostLease = new Promise<string>((resolve) => (wake = () => resolve('lost')));
  const manager = startManager({
    engine,
    kubeConfig: loaded.kubeConfig,
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    ...(options.leaseName ? { leaseName: options.leaseName } : {}),
    ...(resync !== undefined ? { resync } : {}),
    egress: { addresses, pods: options.podEgress !== false },
    matchLabels,
    ...(options.restartExistingWorkloads === false ? { restartExistingWorkloads: false } : {}),
    ...(postures ? { kubearmor: true, namespacePostures: postures } : {}),
    log: (line) => io.err(`armorkit: manager: ${line}`),
    onLostLeadership: () => {
      lost = true;
      wake();
    },
  });
  io.err(`armorkit: manager ${manager.identity} campaigning for the Lease ${options.namespace ?? DEFAULT_NAMESPACE}/${options.leaseName ?? 'armorkit-manager'}`);
  const metrics = metricsAddress && 'address' in metricsAddress ? await startMetricsServer(new ControllerMetrics(manager), metricsAddress.address) : undefined;
  if (metrics && 'problem' in metrics) {
    await manager.stop();
    io.err(`armorkit: --metrics: ${metrics.problem}`);
    return EXIT.invalid;
  }
  if (metrics) io.err(`armorkit: metrics on http://${formatListenAddress(metrics.server.address)}/metrics`);
  const why = await Promise.race([stopped(), lostLease]);
  await metrics?.server.close();
  await manager.stop();
  io.err(`armorkit: manager stopped (${why})`);
  return lost ? EXIT.invalid : EXIT.ok;
}

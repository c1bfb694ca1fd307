import { type Engine, formatPolicyError, ok } from '@armorkit/core';
import {
  type AdmissionHandler,
  AdmissionMetrics,
  type AdmissionRoutes,
  formatListenAddress,
  type ListenAddress,
  type MetricsServer,
  mutatingAdmission,
  parseKubernetesVersion,
  parseListenAddress,
  policiesFromTexts,
  startMetricsServer,
  startWebhookServer,
  validatingWebhook,
} from '@armorkit/plugin-k8s';
import { readInputs } from '../inputs.js';
import { EXIT, type CliIO, UsageError } from '../io.js';
import { requireKubeArmorDialect } from './kubearmor-dialect.js';
import { matchLabelsOption } from './match-labels.js';
import { readBehaviorModels } from '../pipeline.js';

export interface K8sWebhookOptions {
  cert: string;
  key: string;
  listen?: string;
  metrics?: string;
  verify?: boolean;
  model?: string[];
  /** Seconds a review may take before it is refused; under the webhook configuration's timeoutSeconds. */
  reviewTimeout?: string;
  /** Policy files or directories the mutating webhook (/mutate) matches workloads against; no /mutate without them. */
  policies?: string[];
  /** The cluster's Kubernetes version (X.Y) the pod patches are written for; required with `policies`. */
  kubeVersion?: string;
  /** `--kubearmor` (with --watch-policies): watch KubeArmorPolicies and KubeArmorClusterPolicies too. */
  kubearmor?: boolean;
  /** `--match-label`, repeatable: the labels workloads must all carry to be mutated (`key=value`; `''` alone for none). */
  matchLabel?: string[];
  /** Serve /mutate from the cluster's VarmorPolicies and VarmorClusterPolicies, watched, and its /version. */
  watchPolicies?: boolean;
}

interface MutateRoute {
  handler: AdmissionHandler;
  /** Whether /mutate can answer yet (the watched policies listed); /readyz follows it. */
  ready?: () => boolean;
  stop?: () => Promise<void>;
}

/** The `/mutate` handler over the policies the cluster holds (informers), with the version its API server reports. */
async function watchedMutateRoute(engine: Engine, options: K8sWebhookOptions, io: CliIO): Promise<MutateRoute> {
  if (options.policies?.length || options.kubeVersion !== undefined) throw new UsageError('--watch-policies reads the policies and the Kubernetes version from the cluster: give neither --policies nor --kube-version');
  const matchLabels = matchLabelsOption(options.matchLabel);
  // Only here: client-node costs most of a second to load.
  const { clusterPolicySource, loadDefaultKubeConfig } = await import('@armorkit/plugin-k8s/cluster');
  const loaded = loadDefaultKubeConfig();
  if ('problem' in loaded) throw new UsageError(`--watch-policies: ${loaded.problem}`);
  if (options.kubearmor) requireKubeArmorDialect(engine, '--kubearmor');
  const source = clusterPolicySource({ engine, kubeConfig: loaded.kubeConfig, ...(options.kubearmor ? { kubearmor: true } : {}), log: (line) => io.err(`armorkit: policies: ${line}`) });
  void source.ready.then(() => io.err(`armorkit: policies: listed (${source.policies().length} usable); watching`));
  return {
    handler: mutatingAdmission({ engine, policies: source.policies, kubeVersion: source.kubeVersion, matchLabels }),
    ready: () => source.isReady(),
    stop: () => source.stop(),
  };
}

/** The `/mutate` handler over the policies of files (a ConfigMap or a checkout), read once at start. */
async function mutateRoute(engine: Engine, options: K8sWebhookOptions, io: CliIO): Promise<MutateRoute | 'invalid' | undefined> {
  if (options.watchPolicies) return watchedMutateRoute(engine, options, io);
  if (options.kubearmor) throw new UsageError("--kubearmor watches KubeArmor's policies for /mutate: give --watch-policies too (the files of --policies are read whatever their dialect)");
  if (!options.policies || options.policies.length === 0) {
    if (options.kubeVersion !== undefined || options.matchLabel !== undefined) throw new UsageError('--kube-version and --match-label configure /mutate: give --watch-policies or --policies too');
    return undefined;
  }
  if (options.kubeVersion === undefined) throw new UsageError('--kube-version: give the cluster\'s Kubernetes version (X.Y): the AppArmor patch differs from 1.30 on');
  const version = parseKubernetesVersion(options.kubeVersion);
  if (!version.ok) throw new UsageError(`--kube-version: ${version.errors[0]!.message}`);
  const matchLabels = matchLabelsOption(options.matchLabel);
  const inputs = readInputs(options.policies, io.cwd);
  if (inputs.problems.length > 0) throw new UsageError(inputs.problems.join('; '));
  const read = policiesFromTexts(engine, inputs.files);
  for (const error of read.errors) io.err(formatPolicyError(error));
  if (read.errors.length > 0) return 'invalid';
  const kubernetesVersion = version.value;
  return { handler: mutatingAdmission({ engine, policies: () => read.policies, kubeVersion: async () => ok(kubernetesVersion), matchLabels }) };
}

/** vArmor's webhook port, on every address of the pod (its own network namespace). */
export const DEFAULT_WEBHOOK_LISTEN = '0.0.0.0:3443';

/** The API server waits at most 30 s for a webhook (timeoutSeconds 1-30). */
function reviewTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 30) throw new UsageError(`--review-timeout: ${JSON.stringify(value)} is not a number of seconds from 0 to 30`);
  return seconds * 1000;
}

function listenAddress(option: string, value: string): ListenAddress {
  const parsed = parseListenAddress(value);
  if ('problem' in parsed) throw new UsageError(`${option}: ${parsed.problem}`);
  return parsed.address;
}

/** Resolves when the process is told to stop (SIGTERM from the kubelet, SIGINT from a terminal), or `stop` aborts. */
function stopped(stop?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      resolve(signal);
    };
    process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
    stop?.addEventListener('abort', () => onSignal('abort'), { once: true });
  });
}

/**
 * `armorkit k8s webhook --cert FILE --key FILE [--listen ADDR:PORT] [--metrics ADDR:PORT]`: the admission webhooks over
 * HTTPS until SIGTERM (docs/kubernetes-webhooks.md). Metrics are served only when --metrics names an address;
 * /mutate only with --watch-policies (the cluster's policies) or --policies (files).
 */
export async function k8sWebhookCommand(engine: Engine, options: K8sWebhookOptions, io: CliIO, stop?: AbortSignal): Promise<number> {
  const listen = listenAddress('--listen', options.listen ?? DEFAULT_WEBHOOK_LISTEN);
  const metricsAddress = options.metrics !== undefined ? listenAddress('--metrics', options.metrics) : undefined;
  const handlerTimeout = reviewTimeout(options.reviewTimeout);
  const models = readBehaviorModels(options.model, io.cwd);
  const mutate = await mutateRoute(engine, options, io);
  if (mutate === 'invalid') return EXIT.invalid;
  const routes: AdmissionRoutes = {
    '/validate': validatingWebhook(engine, { verify: options.verify !== false, models }),
    ...(mutate ? { '/mutate': mutate.handler } : {}),
  };
  const metrics = new AdmissionMetrics();
  const log = (line: string) => io.err(`armorkit: ${line}`);
  const ready = mutate?.ready;
  const started = await startWebhookServer({ certFile: options.cert, keyFile: options.key, listen, routes, metrics, log, ...(handlerTimeout ? { handlerTimeout } : {}), ...(ready ? { ready } : {}) });
  if ('problem' in started) {
    await mutate?.stop?.();
    throw new UsageError(started.problem);
  }
  let metricsServer: MetricsServer | undefined;
  if (metricsAddress) {
    const serving = await startMetricsServer(metrics, metricsAddress);
    if ('problem' in serving) {
      await Promise.all([started.server.close(0), mutate?.stop?.()]);
      throw new UsageError(serving.problem);
    }
    metricsServer = serving.server;
    log(`metrics: listening on http://${formatListenAddress(metricsServer.address)}/metrics`);
  }
  const signal = await stopped(stop);
  log(`stopping (${signal}): finishing the reviews in flight`);
  await Promise.all([started.server.close(), metricsServer?.close(), mutate?.stop?.()]);
  return EXIT.ok;
}

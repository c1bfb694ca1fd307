import type { Engine } from '@armorkit/core';
import {
  AdmissionMetrics,
  type AdmissionRoutes,
  formatListenAddress,
  type ListenAddress,
  type MetricsServer,
  parseListenAddress,
  startMetricsServer,
  startWebhookServer,
  validatingWebhook,
} from '@armorkit/plugin-k8s';
import { EXIT, type CliIO, UsageError } from '../io.js';
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
 * HTTPS until SIGTERM (docs/kubernetes-webhooks.md). Metrics are served only when --metrics names an address.
 */
export async function k8sWebhookCommand(engine: Engine, options: K8sWebhookOptions, io: CliIO, stop?: AbortSignal): Promise<number> {
  const listen = listenAddress('--listen', options.listen ?? DEFAULT_WEBHOOK_LISTEN);
  const metricsAddress = options.metrics !== undefined ? listenAddress('--metrics', options.metrics) : undefined;
  const handlerTimeout = reviewTimeout(options.reviewTimeout);
  const models = readBehaviorModels(options.model, io.cwd);
  const routes: AdmissionRoutes = {
    '/validate': validatingWebhook(engine, { verify: options.verify !== false, models }),
    // '/mutate': the mutating webhook (packages/plugin-k8s/src/mutate) is routed here when it lands.
  };
  const metrics = new AdmissionMetrics();
  const log = (line: string) => io.err(`armorkit: ${line}`);
  const started = await startWebhookServer({ certFile: options.cert, keyFile: options.key, listen, routes, metrics, log, ...(handlerTimeout ? { handlerTimeout } : {}) });
  if ('problem' in started) throw new UsageError(started.problem);
  let metricsServer: MetricsServer | undefined;
  if (metricsAddress) {
    const serving = await startMetricsServer(metrics, metricsAddress);
    if ('problem' in serving) {
      await started.server.close(0);
      throw new UsageError(serving.problem);
    }
    metricsServer = serving.server;
    log(`metrics: listening on http://${formatListenAddress(metricsServer.address)}/metrics`);
  }
  const signal = await stopped(stop);
  log(`stopping (${signal}): finishing the reviews in flight`);
  await Promise.all([started.server.close(), metricsServer?.close()]);
  return EXIT.ok;
}

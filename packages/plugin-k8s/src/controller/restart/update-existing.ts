// The thin I/O edge of updateExistingWorkloads: list the targets, write each changed one back with its
// resourceVersion, and on 409 Conflict read it again and redo the change (client-go's RetryOnConflict, 5 tries).
import type { PolicyError, Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { MatchLabels } from '../../mutate/match-labels.js';
import { restartErrors } from './errors.js';
import { restartedWorkload, restartQuery, type PolicyTarget, type RestartableKind } from './select.js';

type Json = Record<string, unknown>;

const PLURALS: Record<RestartableKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

export interface UpdateExistingOptions {
  kubeConfig: KubeConfig;
  /** The policy whose create, update or delete this is. */
  policy: PolicyTarget;
  matchLabels: MatchLabels;
  /** The workload with the profiles now in force (reprofiler). */
  reprofile: (object: Json) => Result<Json>;
  now?: () => Date;
  /** Tries per workload when updates conflict. Default 5. */
  attempts?: number;
}

export interface RestartReport {
  /** `Kind namespace/name`, sorted. */
  restarted: string[];
  unchanged: string[];
  failed: { workload: string; message: string }[];
  /** Why nothing was listed (a Pod target). */
  skipped?: string;
}

interface Metadata {
  name: string;
  namespace: string;
}
const metadataOf = (object: Json): Metadata => object.metadata as Metadata;

function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
    const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : String(error.body);
    return `HTTP ${error.code}: ${message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * vArmor's updateExistingWorkloads (reference §6.4): the policy's target Deployments, StatefulSets or DaemonSets get
 * the profiles now in force and `controller.varmor.org/restartedAt`, so their pods roll; a workload whose pod template
 * would not change is left alone. Through CustomObjectsApi on the apps/v1 paths, so the objects stay plain JSON.
 */
export async function updateExistingWorkloads(options: UpdateExistingOptions): Promise<Result<RestartReport>> {
  const query = restartQuery(options.policy, options.matchLabels);
  const report: RestartReport = { restarted: [], unchanged: [], failed: [] };
  if (!query) return ok({ ...report, skipped: `target kind ${options.policy.spec.target.kind} has no pod template to roll: recreate the pods to give them the new profiles` });
  const api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const where = { group: 'apps', version: 'v1', plural: PLURALS[query.kind] };
  const selectors = { ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}), ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}) };
  let items: Json[];
  try {
    const list = (query.namespace ? await api.listNamespacedCustomObject({ ...where, namespace: query.namespace, ...selectors }) : await api.listClusterCustomObject({ ...where, ...selectors })) as { items?: Json[] };
    items = list.items ?? [];
  } catch (error) {
    return fail([restartErrors.error('restart-list-failed', '/spec/target', `cannot list the ${where.plural} of ${query.namespace ?? 'all namespaces'} (${selectors.labelSelector ?? ''}${selectors.fieldSelector ?? ''}): ${apiMessage(error)}`)]);
  }
  const now = options.now ?? (() => new Date());
  const attempts = options.attempts ?? 5;
  const warnings: PolicyError[] = [];
  for (const item of items) {
    const { name, namespace } = metadataOf(item);
    const label = `${query.kind} ${namespace}/${name}`;
    let current = item;
    for (let attempt = 1; ; attempt++) {
      const reprofiled = options.reprofile(current);
      if (!reprofiled.ok) {
        report.failed.push({ workload: label, message: reprofiled.errors.map((error) => error.message).join('; ') });
        break;
      }
      const decision = restartedWorkload(current, reprofiled.value, now());
      if (!decision.changed) {
        report.unchanged.push(label);
        break;
      }
      try {
        await api.replaceNamespacedCustomObject({ ...where, namespace, name, body: decision.object });
        report.restarted.push(label);
        break;
      } catch (error) {
        if (error instanceof ApiException && error.code === 409 && attempt < attempts) {
          try {
            current = (await api.getNamespacedCustomObject({ ...where, namespace, name })) as Json;
            continue;
          } catch (readError) {
            report.failed.push({ workload: label, message: `read after a conflict: ${apiMessage(readError)}` });
            break;
          }
        }
        report.failed.push({ workload: label, message: apiMessage(error) });
        break;
      }
    }
  }
  for (const failure of report.failed) warnings.push(restartErrors.error('restart-update-failed', '', `${failure.workload}: ${failure.message}`));
  report.restarted.sort();
  report.unchanged.sort();
  return ok(report, warnings);
}

// The I/O of `armorkit k8s status`: four list requests (the policies, the ArmorProfiles, the ArmorNodeStatus objects),
// whatever the size of the cluster, then the pure report.
import { ApiException, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';
import { POLICY_PLURALS, PROFILE_PLURAL } from '../controller/names.js';
import { NODE_STATUS_GROUP, NODE_STATUS_PLURAL, NODE_STATUS_VERSION } from '../node-status/schema.js';
import { type PolicyReport, policyReports } from './policy-report.js';

export interface StatusQuery {
  kubeConfig: KubeConfig;
  /** Only VarmorPolicies of this namespace (and no cluster policy); all namespaces and cluster policies otherwise. */
  namespace?: string;
  /** Only the policies of this name. */
  name?: string;
  /** The controller's node timeout (ms). Default 5 min, as the controller's. */
  staleAfter?: number;
  now?: Date;
}

function describeFailure(what: string, error: unknown): string {
  if (error instanceof ApiException) {
    let message = String(error.body);
    try {
      const parsed = JSON.parse(String(error.body)) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not JSON: the body as it is
    }
    return `cannot list ${what}: HTTP ${error.code}: ${message.slice(0, 300)}`;
  }
  return `cannot list ${what}: ${error instanceof Error ? error.message : String(error)}`;
}

/** The policies' reports, or why the cluster could not be read. */
export async function readPolicyStatus(query: StatusQuery): Promise<{ reports: PolicyReport[] } | { problem: string }> {
  const api = query.kubeConfig.makeApiClient(CustomObjectsApi);
  const items = async (what: string, list: () => Promise<unknown>): Promise<KubernetesObject[] | string> => {
    try {
      return ((await list()) as KubernetesListObject<KubernetesObject>).items;
    } catch (error) {
      return describeFailure(what, error);
    }
  };
  const varmor = { group: VARMOR_GROUP, version: VARMOR_VERSION };
  const [namespaced, cluster, profiles, nodes] = await Promise.all([
    items('VarmorPolicies', () =>
      query.namespace !== undefined
        ? api.listNamespacedCustomObject({ ...varmor, plural: POLICY_PLURALS.VarmorPolicy, namespace: query.namespace })
        : api.listClusterCustomObject({ ...varmor, plural: POLICY_PLURALS.VarmorPolicy }),
    ),
    query.namespace !== undefined ? Promise.resolve([]) : items('VarmorClusterPolicies', () => api.listClusterCustomObject({ ...varmor, plural: POLICY_PLURALS.VarmorClusterPolicy })),
    items('ArmorProfiles', () => api.listClusterCustomObject({ ...varmor, plural: PROFILE_PLURAL })),
    items('ArmorNodeStatuses', () => api.listClusterCustomObject({ group: NODE_STATUS_GROUP, version: NODE_STATUS_VERSION, plural: NODE_STATUS_PLURAL })),
  ]);
  for (const result of [namespaced, cluster, profiles, nodes]) if (typeof result === 'string') return { problem: result };
  const policies = [...(cluster as KubernetesObject[]), ...(namespaced as KubernetesObject[])].filter((policy) => query.name === undefined || policy.metadata?.name === query.name);
  return {
    reports: policyReports({ policies, profiles: profiles as KubernetesObject[], nodeStatuses: nodes as KubernetesObject[], now: query.now ?? new Date(), staleAfter: query.staleAfter ?? 5 * 60_000 }),
  };
}

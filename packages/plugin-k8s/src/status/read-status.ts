// The I/O of `armorkit k8s status`: seven list requests (the five policy kinds, the ArmorProfiles, the ArmorNodeStatus objects),
// whatever the size of the cluster, then the pure report.
import { ApiException, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';
import { POLICY_KINDS, POLICY_RESOURCES, PROFILE_PLURAL } from '../controller/names.js';
import { NODE_STATUS_GROUP, NODE_STATUS_PLURAL, NODE_STATUS_VERSION } from '../node-status/schema.js';
import { type PolicyReport, policyReports } from './policy-report.js';

export interface StatusQuery {
  kubeConfig: KubeConfig;
  /** Only the namespaced policies of this namespace (no cluster-scoped one); all namespaces and kinds otherwise. */
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

const isNotFound = (error: unknown) => error instanceof ApiException && error.code === 404;

/** The policies' reports, or why the cluster could not be read. KubeArmor's kinds whose CRDs are not installed have none. */
export async function readPolicyStatus(query: StatusQuery): Promise<{ reports: PolicyReport[] } | { problem: string }> {
  const api = query.kubeConfig.makeApiClient(CustomObjectsApi);
  const items = async (what: string, list: () => Promise<unknown>, optional = false): Promise<KubernetesObject[] | string> => {
    try {
      return ((await list()) as KubernetesListObject<KubernetesObject>).items;
    } catch (error) {
      return optional && isNotFound(error) ? [] : describeFailure(what, error);
    }
  };
  const varmor = { group: VARMOR_GROUP, version: VARMOR_VERSION };
  // -n: the namespaced kinds of that namespace only, no cluster-scoped policy.
  const kinds = POLICY_KINDS.filter((kind) => query.namespace === undefined || POLICY_RESOURCES[kind].namespaced);
  const [profiles, nodes, ...lists] = await Promise.all([
    items('ArmorProfiles', () => api.listClusterCustomObject({ ...varmor, plural: PROFILE_PLURAL })),
    items('ArmorNodeStatuses', () => api.listClusterCustomObject({ group: NODE_STATUS_GROUP, version: NODE_STATUS_VERSION, plural: NODE_STATUS_PLURAL })),
    ...kinds.map((kind) => {
      const { group, version, plural } = POLICY_RESOURCES[kind];
      const list = () => (query.namespace !== undefined ? api.listNamespacedCustomObject({ group, version, plural, namespace: query.namespace }) : api.listClusterCustomObject({ group, version, plural }));
      return items(`${kind.replace(/y$/, 'ie')}s`, list, POLICY_RESOURCES[kind].dialect === 'kubearmor');
    }),
  ]);
  for (const result of [profiles, nodes, ...lists]) if (typeof result === 'string') return { problem: result };
  const policies = lists.flatMap((list) => list as KubernetesObject[]).filter((policy) => query.name === undefined || policy.metadata?.name === query.name);
  return {
    reports: policyReports({ policies, profiles: profiles as KubernetesObject[], nodeStatuses: nodes as KubernetesObject[], now: query.now ?? new Date(), staleAfter: query.staleAfter ?? 5 * 60_000 }),
  };
}

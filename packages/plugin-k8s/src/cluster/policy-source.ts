import type { Engine, KubernetesVersion, PolicyIR, Result } from '@armorkit/core';
import { CustomObjectsApi, type KubeConfig, VersionApi } from '@kubernetes/client-node';
import { policyCollection, type PolicyKind, POLICY_RESOURCES } from '../controller/names.js';
import { cachedKubernetesVersion } from '../mutate/kubernetes-version.js';
import { ParsedPolicies } from './parsed-policies.js';
import { type Backoff, watchResource, type WatchedResource } from './watched-resource.js';

/** Cluster policies first: vArmor matches them before the namespace's policies. */
const VARMOR_KINDS = ['VarmorClusterPolicy', 'VarmorPolicy'] as const satisfies readonly PolicyKind[];
/** The KubeArmor kinds that select pods (a KubeArmorHostPolicy selects nodes: nothing for the webhook). */
const KUBEARMOR_KINDS = ['KubeArmorClusterPolicy', 'KubeArmorPolicy'] as const satisfies readonly PolicyKind[];

export interface ClusterPolicySourceOptions {
  engine: Engine;
  /** Where the API server is and who we are: `loadFromDefault()` (in-cluster service account or KUBECONFIG). */
  kubeConfig: KubeConfig;
  /**
   * Watch KubeArmorPolicies and KubeArmorClusterPolicies too (the engine needs the kubearmor dialect); a kind whose CRD
   * is not installed is watched for until it is. Default false.
   */
  kubearmor?: boolean;
  log?: (line: string) => void;
  backoff?: Backoff;
}

export interface ClusterPolicySource {
  /** The parsed policies of all namespaces (vArmor's, and KubeArmor's with `kubearmor`), as the informers hold them now. */
  policies(): readonly PolicyIR[];
  /** Resolves once every kind has been listed (or found not served, for KubeArmor's). */
  readonly ready: Promise<void>;
  isReady(): boolean;
  /** The API server's version from `/version`, read once (a failed read is tried again). */
  kubeVersion: () => Promise<Result<KubernetesVersion>>;
  stop(): Promise<void>;
}

/** The policies of a cluster, listed and watched through client-node, for `mutatingAdmission`. */
export function clusterPolicySource(options: ClusterPolicySourceOptions): ClusterPolicySource {
  const log = options.log ?? (() => {});
  const objects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const versions = options.kubeConfig.makeApiClient(VersionApi);
  const kinds: readonly PolicyKind[] = options.kubearmor ? [...VARMOR_KINDS, ...KUBEARMOR_KINDS] : VARMOR_KINDS;
  const current = new Map<PolicyKind, PolicyIR[]>(kinds.map((kind) => [kind, []]));
  let snapshot: readonly PolicyIR[] = [];
  const watched: WatchedResource[] = kinds.map((kind) => {
    const parsed = new ParsedPolicies(options.engine, log);
    const { group, version, plural, dialect } = POLICY_RESOURCES[kind];
    return watchResource({
      kubeConfig: options.kubeConfig,
      path: policyCollection(kind),
      // The cluster-scoped list call on a namespaced kind's path lists it in all namespaces.
      list: () => objects.listClusterCustomObject({ group, version, plural }),
      onChange: (held) => {
        current.set(kind, parsed.update(held));
        snapshot = kinds.flatMap((name) => current.get(name) ?? []);
      },
      log,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      // KubeArmor's CRDs are KubeArmor's to install.
      optional: dialect === 'kubearmor',
    });
  });
  return {
    policies: () => snapshot,
    ready: Promise.all(watched.map((resource) => resource.ready)).then(() => {}),
    isReady: () => watched.every((resource) => resource.isReady()),
    kubeVersion: cachedKubernetesVersion(() => versions.getCode()),
    async stop() {
      await Promise.all(watched.map((resource) => resource.stop()));
    },
  };
}

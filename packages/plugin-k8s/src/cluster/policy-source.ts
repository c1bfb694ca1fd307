import type { Engine, KubernetesVersion, PolicyIR, Result } from '@armorkit/core';
import { CustomObjectsApi, type KubeConfig, VersionApi } from '@kubernetes/client-node';
import { VARMOR_GROUP } from '../crd/kinds.js';
import { cachedKubernetesVersion } from '../mutate/kubernetes-version.js';
import { ParsedPolicies } from './parsed-policies.js';
import { type Backoff, watchResource, type WatchedResource } from './watched-resource.js';

export const POLICY_VERSION = 'v1beta1';
/** Cluster policies first: vArmor matches them before the namespace's policies. */
export const POLICY_RESOURCES = ['varmorclusterpolicies', 'varmorpolicies'] as const;

export interface ClusterPolicySourceOptions {
  engine: Engine;
  /** Where the API server is and who we are: `loadFromDefault()` (in-cluster service account or KUBECONFIG). */
  kubeConfig: KubeConfig;
  log?: (line: string) => void;
  backoff?: Backoff;
}

export interface ClusterPolicySource {
  /** The parsed VarmorClusterPolicies and VarmorPolicies of all namespaces, as the informers hold them now. */
  policies(): readonly PolicyIR[];
  /** Resolves once both kinds have been listed. */
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
  const current = new Map<string, PolicyIR[]>(POLICY_RESOURCES.map((plural) => [plural, []]));
  let snapshot: readonly PolicyIR[] = [];
  const watched: WatchedResource[] = POLICY_RESOURCES.map((plural) => {
    const parsed = new ParsedPolicies(options.engine, log);
    return watchResource({
      kubeConfig: options.kubeConfig,
      path: `/apis/${VARMOR_GROUP}/${POLICY_VERSION}/${plural}`,
      // The cluster-scoped list call on a namespaced kind's path lists it in all namespaces.
      list: () => objects.listClusterCustomObject({ group: VARMOR_GROUP, version: POLICY_VERSION, plural }),
      onChange: (held) => {
        current.set(plural, parsed.update(held));
        snapshot = POLICY_RESOURCES.flatMap((name) => current.get(name)!);
      },
      log,
      ...(options.backoff ? { backoff: options.backoff } : {}),
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

// The informers behind EgressAddresses: Services, EndpointSlices and (when pod egress is on) Pods of every namespace,
// listed then watched through client-node; each change (settled over a short window, so a rollout's burst of pod
// events is one re-resolution) updates the snapshot and reports the policies whose addresses changed.
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { type Backoff, watchResource, type WatchedResource } from '../../cluster/watched-resource.js';
import type { EgressAddresses } from './addresses.js';
import { endpointSliceView, podAddressView, serviceView, type EgressSnapshot } from './resolve.js';

export interface WatchEgressOptions {
  kubeConfig: KubeConfig;
  addresses: EgressAddresses;
  /** The policies (keys given to `track`) whose addresses changed; re-render their ArmorProfiles. */
  onChange: (policies: string[]) => void;
  /** toServices (vArmor's enableServiceEgressControl, on by default there). Default true. */
  services?: boolean;
  /** toPods (vArmor's enablePodEgressControl, off by default there: a watch of every pod). Default true. */
  pods?: boolean;
  /** Changes within this window are resolved once (ms). Default 50. */
  settleMs?: number;
  log?: (line: string) => void;
  backoff?: Backoff;
}

export interface EgressWatch {
  /** Resolves once every watched collection has been listed (the snapshot is complete). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

const asList = (list: Promise<unknown>) => list as Promise<KubernetesListObject<KubernetesObject>>;
const defined = <T>(value: T | undefined): value is T => value !== undefined;

export function watchEgress(options: WatchEgressOptions): EgressWatch {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const discovery = options.kubeConfig.makeApiClient(DiscoveryV1Api);
  const settleMs = options.settleMs ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const watched: { name: keyof EgressSnapshot; resource: WatchedResource }[] = [];
  const snapshot = (): EgressSnapshot => {
    const objects = (name: keyof EgressSnapshot) => watched.find((entry) => entry.name === name)?.resource.objects() ?? [];
    return {
      services: objects('services').map(serviceView).filter(defined),
      endpointSlices: objects('endpointSlices').map(endpointSliceView).filter(defined),
      pods: objects('pods').map(podAddressView).filter(defined),
    };
  };
  const settle = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped || !watched.every((entry) => entry.resource.isReady())) return;
      const changed = options.addresses.update(snapshot());
      if (changed.length > 0) options.onChange(changed);
    }, settleMs);
  };
  const common = { kubeConfig: options.kubeConfig, onChange: settle, ...(options.log ? { log: options.log } : {}), ...(options.backoff ? { backoff: options.backoff } : {}) };
  if (options.services ?? true) {
    watched.push({ name: 'services', resource: watchResource({ ...common, path: '/api/v1/services', list: () => asList(core.listServiceForAllNamespaces()) }) });
    watched.push({
      name: 'endpointSlices',
      resource: watchResource({ ...common, path: '/apis/discovery.k8s.io/v1/endpointslices', list: () => asList(discovery.listEndpointSliceForAllNamespaces()) }),
    });
  }
  if (options.pods ?? true) watched.push({ name: 'pods', resource: watchResource({ ...common, path: '/api/v1/pods', list: () => asList(core.listPodForAllNamespaces()) }) });
  const ready = Promise.all(watched.map((entry) => entry.resource.ready)).then(() => {
    // The first complete snapshot: a policy compiled before it (with no addresses) is re-rendered now.
    const changed = options.addresses.update(snapshot());
    if (changed.length > 0 && !stopped) options.onChange(changed);
  });
  return {
    ready,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(watched.map((entry) => entry.resource.stop()));
    },
  };
}

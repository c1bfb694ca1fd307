import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { type Backoff, type Informer, startInformer } from './informer.js';

export type { Backoff } from './informer.js';

export interface WatchedResourceOptions {
  kubeConfig: KubeConfig;
  /** The collection's path, e.g. `/apis/crd.varmor.org/v1beta1/varmorpolicies` (all namespaces). */
  path: string;
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
  /** Watch only these (`spec.nodeName=node-1`); `list` must ask for the same. */
  fieldSelector?: string;
  /** Called after the first list and after every change, with the objects held now. */
  onChange: (objects: readonly KubernetesObject[]) => void;
  log?: (line: string) => void;
  backoff?: Backoff;
  /** A 404 (the CRD is not installed) counts as listed and empty; it is watched for until it is served (startInformer's). */
  optional?: boolean;
}

export interface WatchedResource {
  /** Resolves once the first list is done (it keeps retrying until then). */
  readonly ready: Promise<void>;
  isReady(): boolean;
  objects(): readonly KubernetesObject[];
  stop(): Promise<void>;
}

/**
 * A collection listed then watched, reported whole: `onChange` gets the objects held after the first list and after
 * every change. The listing, watching and retrying are startInformer's.
 */
export function watchResource(options: WatchedResourceOptions): WatchedResource {
  // The callbacks run after startInformer returns (a list or watch event is never synchronous).
  const informer: Informer = startInformer({
    kubeConfig: options.kubeConfig,
    path: options.path,
    list: options.list,
    ...(options.fieldSelector !== undefined && { fieldSelector: options.fieldSelector }),
    onEvent: () => {
      if (informer.isReady()) options.onChange(informer.list());
    },
    onListed: () => options.onChange(informer.list()),
    ...(options.log && { log: options.log }),
    ...(options.backoff && { backoff: options.backoff }),
    ...(options.optional && { optional: true }),
  });
  return { ready: informer.ready, isReady: () => informer.isReady(), objects: () => informer.list(), stop: () => informer.stop() };
}

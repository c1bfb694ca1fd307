import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, makeInformer, Watch } from '@kubernetes/client-node';

export interface Backoff {
  /** The first wait after a failed list or watch (ms). Default 1 s. */
  initial: number;
  /** The longest wait (ms). Default 30 s. */
  max: number;
}

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
}

export interface WatchedResource {
  /** Resolves once the first list is done (it keeps retrying until then). */
  readonly ready: Promise<void>;
  isReady(): boolean;
  objects(): readonly KubernetesObject[];
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF: Backoff = { initial: 1_000, max: 30_000 };

/**
 * A collection listed then watched (client-node's informer). A watch the server ends is resumed by the informer; a
 * failed list or watch is started again after a doubling wait, so a broken connection never ends the process.
 */
export function watchResource(options: WatchedResourceOptions): WatchedResource {
  const log = options.log ?? (() => {});
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let ready = false;
  let stopped = false;
  let wait = backoff.initial;
  let retry: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));
  const listed = async () => {
    const list = await options.list();
    // The informer stores the list's items right after this promise settles; report once it has.
    setImmediate(() => {
      if (stopped) return;
      wait = backoff.initial;
      options.onChange(informer.list());
      if (!ready) {
        ready = true;
        markReady();
      }
    });
    return list;
  };
  const informer =
    options.fieldSelector === undefined
      ? makeInformer(options.kubeConfig, options.path, listed)
      : new ListWatch(options.path, new Watch(options.kubeConfig), listed, false, undefined, options.fieldSelector);
  const changed = () => {
    wait = backoff.initial;
    if (ready) options.onChange(informer.list());
  };
  informer.on('add', changed);
  informer.on('update', changed);
  informer.on('delete', changed);
  informer.on('error', (error: unknown) => {
    if (stopped) return;
    log(`${options.path}: ${error instanceof Error ? error.message : String(error)}; trying again in ${wait} ms`);
    retry = setTimeout(start, wait);
    wait = Math.min(wait * 2, backoff.max);
  });
  function start(): void {
    retry = undefined;
    if (stopped) return;
    // start() lists (when needed) and opens the watch; its failures come to the error handler above.
    informer.start().catch((error: unknown) => log(`${options.path}: ${error instanceof Error ? error.message : String(error)}`));
  }
  start();
  return {
    ready: readyPromise,
    isReady: () => ready,
    objects: () => informer.list(),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await informer.stop();
    },
  };
}

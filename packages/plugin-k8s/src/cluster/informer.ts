import { ApiException, type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';

export interface Backoff {
  /** The first wait after a failed list or watch (ms). Default 1 s. */
  initial: number;
  /** The longest wait (ms). Default 30 s. */
  max: number;
}

export type ObjectEvent = 'add' | 'update' | 'delete';

export interface InformerOptions {
  kubeConfig: KubeConfig;
  /** The collection's path, all namespaces (`/apis/crd.varmor.org/v1beta1/armorprofiles`). */
  path: string;
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
  labelSelector?: string;
  /** Watch only these (`spec.nodeName=node-1`); `list` must ask for the same. */
  fieldSelector?: string;
  /** Each object added, changed or deleted (also those a re-list after 410 Gone finds changed). */
  onEvent: (event: ObjectEvent, object: KubernetesObject) => void;
  /** After each list (the first, and a re-list after 410 Gone), once the informer holds its items. */
  onListed?: () => void;
  log?: (line: string) => void;
  backoff?: Backoff;
  /**
   * The kind may not be served (another project's CRD, not installed): a 404 makes the informer ready and empty,
   * logged once, and it lists again after the usual doubling wait until the kind appears.
   */
  optional?: boolean;
}

export interface Informer {
  /** Resolves once the first list is in (it keeps retrying until then). */
  readonly ready: Promise<void>;
  isReady(): boolean;
  get(name: string, namespace?: string): KubernetesObject | undefined;
  list(): readonly KubernetesObject[];
  stop(): Promise<void>;
}

/** A list (client-node's ApiException) or watch (its Error with `statusCode`) the server answered 404. */
function isNotFound(error: unknown): boolean {
  if (error instanceof ApiException) return error.code === 404;
  return error instanceof Error && 'statusCode' in error && error.statusCode === 404;
}

const DEFAULT_BACKOFF: Backoff = { initial: 1_000, max: 30_000 };

/**
 * client-node's ListWatch with per-object events: it lists, watches from the list's resourceVersion, lists again on
 * 410 Gone and resumes a watch the server ended. A failed list or a dropped watch is started again after a doubling
 * wait, so a broken connection never ends the controller.
 */
export function startInformer(options: InformerOptions): Informer {
  const log = options.log ?? (() => {});
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let stopped = false;
  let wait = backoff.initial;
  let retry: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  let ready = false;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));
  let absent = false;
  const listed = async () => {
    const list = await options.list();
    if (absent) log(`${options.path}: served now; watching it`);
    absent = false;
    // ListWatch stores the items (and sends their events) right after this promise settles.
    setImmediate(() => {
      if (stopped) return;
      wait = backoff.initial;
      options.onListed?.();
      if (!ready) {
        ready = true;
        markReady();
      }
    });
    return list;
  };
  const informer = new ListWatch(options.path, new Watch(options.kubeConfig), listed, false, options.labelSelector, options.fieldSelector);
  const on = (event: ObjectEvent) => (object: KubernetesObject) => {
    wait = backoff.initial;
    options.onEvent(event, object);
  };
  informer.on('add', on('add'));
  informer.on('update', on('update'));
  informer.on('delete', on('delete'));
  informer.on('error', (error: unknown) => {
    if (stopped) return;
    if (options.optional && isNotFound(error)) {
      if (!absent) log(`${options.path}: not served (404: its CRD is not installed); listing it again now and then until it is`);
      absent = true;
      if (!ready) {
        ready = true;
        markReady();
      }
    } else log(`${options.path}: ${error instanceof Error ? error.message : String(error)}; trying again in ${wait} ms`);
    retry = setTimeout(start, wait);
    wait = Math.min(wait * 2, backoff.max);
  });
  function start(): void {
    retry = undefined;
    if (stopped) return;
    informer.start().catch((error: unknown) => log(`${options.path}: ${error instanceof Error ? error.message : String(error)}`));
  }
  start();
  return {
    ready: readyPromise,
    isReady: () => ready,
    get: (name, namespace) => informer.get(name, namespace),
    list: () => informer.list(),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await informer.stop();
    },
  };
}

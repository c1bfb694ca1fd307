// A Kubernetes API server double on loopback HTTP, for tests only. It serves what client-node's typed clients and
// informers call, with the API server's semantics where the code under test relies on them:
// - objects with uid, resourceVersion (one counter for all), generation (bumped when anything but metadata and
//   status changes), creationTimestamp; a write that changes nothing keeps the resourceVersion and sends no event;
// - POST (409 AlreadyExists, generateName), PUT (409 Conflict on a stale resourceVersion; custom resources need one),
//   PATCH (merge patch, JSON patch, strategic merge patch on built-in kinds read as a merge patch, server-side apply
//   read as a merge patch of the applied configuration, creating the object when it is missing), DELETE
//   (preconditions; with finalizers only deletionTimestamp is set, and the update that removes the last finalizer
//   deletes the object);
// - the status subresource (spec changes ignored there, status changes ignored on the main resource);
// - ownerReferences: once an object is gone, its dependents whose owners are all gone are deleted (background
//   propagation, as the garbage collector does, after `gcDelay`); `propagationPolicy: Orphan` strips the references;
// - list and watch with label and field selectors (an object that stops matching is DELETED to that watch, one that
//   starts matching ADDED), watch from a resourceVersion, synthetic ADDED events for a watch without one, bookmarks
//   (`allowWatchBookmarks`), `timeoutSeconds`, and 410 Gone for a resourceVersion older than the history kept;
// - injected faults: failures by method and path (409, 500, 429 ...), dropped watches, slow responses.
// Not modelled: namespace deletion cascading to its objects, admission, field managers and conflicts of
// server-side apply, foreground deletion (treated as background), pagination (`limit` returns everything).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { APPLY_PATCH, JSON_PATCH, jsonPatch, MERGE_PATCH, mergePatch, STRATEGIC_MERGE_PATCH } from './api-double/patch.js';
import { apiVersionOf, collectionOf, DEFAULT_RESOURCES, parseResourcePath, type ResourceDefinition } from './api-double/resources.js';
import { fieldSelector, labelSelector, type Selector } from './api-double/selectors.js';

export { collectionOf, DEFAULT_RESOURCES, KUBEARMOR_RESOURCES, type ResourceDefinition } from './api-double/resources.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMetadata {
  name: string;
  namespace?: string;
  generateName?: string;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export type KubeObject = { apiVersion?: string; kind?: string; metadata: ObjectMetadata; [key: string]: unknown };
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
interface WatchEvent {
  revision: number;
  collection: string;
  type: EventType;
  object: KubeObject;
  /** The object before a MODIFIED event: a selector watch needs both to tell ADDED / MODIFIED / DELETED. */
  previous?: KubeObject;
}
interface Watcher {
  collection: string;
  namespace?: string;
  matches: Selector;
  response: ServerResponse;
  definition: ResourceDefinition;
  bookmarks: boolean;
  timers: NodeJS.Timeout[];
}

export interface Fault {
  /** `GET`, `PUT`, ...; any when absent. */
  method?: string;
  /** Matched against the path (without the query): a substring or a pattern; any when absent. */
  path?: string | RegExp;
  /** Watch requests (`?watch=true`) only, or never; both when absent. */
  watch?: boolean;
  /** Only requests with this bearer token (`kubeConfig(token)`): one client of several, e.g. a partitioned replica. */
  token?: string;
  code: number;
  reason: string;
  message?: string;
  /** How many matching requests fail. Default 1. */
  times?: number;
  /** Wait before answering (ms): with code 0 the request is only slowed, not failed. */
  delay?: number;
}

export interface RecordedCall {
  token: string;
  method: string;
  path: string;
  query: URLSearchParams;
  /** performance.now() when it arrived. */
  at: number;
  /** The decoded body of a write, once read. */
  body?: unknown;
}

export interface ApiDoubleOptions {
  /** What `/version` answers. */
  version?: { major: string; minor: string; gitVersion: string };
  /** Events kept for watches; a watch from an older resourceVersion gets 410 Gone. */
  history?: number;
  /**
   * How a watch from a compacted resourceVersion learns it: `event` (HTTP 200 then an ERROR event with a 410 Status,
   * as an API server with the watch cache answers) or `status` (HTTP 410). Default `event`.
   */
  expired?: 'event' | 'status';
  /** Bookmarks to watches that asked for them (`allowWatchBookmarks=true`) every N ms. Default 0: only `sendBookmarks()`. */
  bookmarkInterval?: number;
  /** Time the garbage collector takes to delete dependents (ms). Default 0. */
  gcDelay?: number;
  /** Every answer waits this long (ms): a slow API server. Also settable later as `latency`. */
  latency?: number;
  /**
   * The largest object stored, in bytes of JSON: etcd's `--max-request-bytes` default (1.5 MiB). A bigger one is
   * refused with 413 and etcd's message, as kube-apiserver passes it on. Default 1,572,864.
   */
  maxObjectBytes?: number;
  clock?: () => Date;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object without the fields the server owns, to tell whether a write changes anything. */
function comparable(object: KubeObject): string {
  const { resourceVersion: _rv, generation: _g, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

/** Everything but metadata and status: what bumps metadata.generation. */
function specOf(object: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = object;
  return JSON.stringify(rest);
}

export class ApiDouble {
  private readonly server: Server;
  private readonly definitions = new Map<string, ResourceDefinition>();
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly events: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly faults: (Fault & { times: number })[] = [];
  private revision = 1;
  /** The newest revision no longer in the event history: a watch from before it is 410 Gone. */
  private compacted = 0;
  private readonly history: number;
  private readonly version: NonNullable<ApiDoubleOptions['version']>;
  private readonly expired: 'event' | 'status';
  private readonly bookmarkInterval: number;
  private readonly gcDelay: number;
  private readonly clock: () => Date;
  private readonly maxObjectBytes: number;
  private pendingGc = new Set<NodeJS.Timeout>();
  private readonly bodies = new WeakMap<IncomingMessage, RecordedCall>();
  /** Requests as `METHOD path?query`, in order. */
  readonly requests: string[] = [];
  /** The same requests with who made them (the bearer token) and the body they carried: what RBAC would check. */
  readonly calls: RecordedCall[] = [];
  /** Answer the next N list requests with 500. */
  failLists = 0;
  /** Every answer waits this long (ms). */
  latency: number;

  constructor(options: ApiDoubleOptions = {}) {
    this.history = options.history ?? 1000;
    this.version = options.version ?? { major: '1', minor: '30', gitVersion: 'v1.30.2' };
    this.expired = options.expired ?? 'event';
    this.bookmarkInterval = options.bookmarkInterval ?? 0;
    this.gcDelay = options.gcDelay ?? 0;
    this.latency = options.latency ?? 0;
    this.clock = options.clock ?? (() => new Date());
    this.maxObjectBytes = options.maxObjectBytes ?? 1_572_864;
    for (const definition of DEFAULT_RESOURCES) this.define(definition);
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A KubeConfig pointing at the double (plain HTTP on loopback, a bearer token as a service account has). */
  kubeConfig(token = 'test-token'): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      // client-node refuses plain http unless TLS verification is off (there is no TLS to verify on loopback http).
      clusters: [{ name: 'double', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'test', token }],
      contexts: [{ name: 'double', cluster: 'double', user: 'test' }],
      currentContext: 'double',
    });
    return kc;
  }

  /** Serves one more resource (a CRD the test installs). */
  define(definition: ResourceDefinition): void {
    this.definitions.set(collectionOf(definition), definition);
  }

  // --- Direct access for tests: what an operator or another component does, bypassing HTTP. ---

  /**
   * Creates or replaces an object in a collection path (e.g. `/apis/crd.varmor.org/v1beta1/varmorpolicies`), as an
   * unconditional write of the whole object (status included) would: no resourceVersion check.
   */
  put(collection: string, object: KubeObject): KubeObject {
    const definition = this.definition(collection);
    const existing = this.collection(collection).get(keyOf(object.metadata.namespace, object.metadata.name));
    if (!existing) return this.create(definition, structuredClone(object), false);
    const next = structuredClone(object);
    next.metadata = { ...next.metadata, resourceVersion: existing.metadata.resourceVersion! };
    return this.update(definition, existing, next, 'whole');
  }

  /** Deletes as `kubectl delete` does: finalizers hold the object (deletionTimestamp set), dependents are collected. */
  delete(collection: string, name: string, namespace?: string): KubeObject {
    const definition = this.definition(collection);
    const object = this.collection(collection).get(keyOf(namespace, name));
    if (!object) throw new Error(`no ${keyOf(namespace, name)} in ${collection}`);
    return this.remove(definition, object, 'Background');
  }

  get(collection: string, name: string, namespace?: string): KubeObject | undefined {
    const object = this.collection(collection).get(keyOf(namespace, name));
    return object && structuredClone(object);
  }

  list(collection: string, namespace?: string): KubeObject[] {
    return [...this.collection(collection).values()].filter((object) => namespace === undefined || object.metadata.namespace === namespace).map((object) => structuredClone(object));
  }

  /** The requests whose `METHOD path?query` line passes `test`. */
  count(test: (line: string) => boolean): number {
    return this.requests.filter(test).length;
  }

  /** The next matching requests fail (or are slowed) as `fault` says. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Forgets the faults not yet used up. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The next `times` requests of `method` whose path contains `path` get 409 Conflict. */
  conflictNext(method: string, path: string, times = 1): void {
    this.inject({ method, path, code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again (injected)', times });
  }

  /** Ends every open watch connection abruptly (a dropped connection, not a clean end). */
  dropWatches(): number {
    const count = this.watchers.size;
    for (const watcher of this.watchers) {
      for (const timer of watcher.timers) clearTimeout(timer);
      watcher.response.socket?.destroy();
    }
    this.watchers.clear();
    return count;
  }

  /** Forgets the event history: watches from any earlier resourceVersion now get 410 Gone. */
  compact(): void {
    this.events.length = 0;
    this.compacted = this.revision;
  }

  /** A BOOKMARK with the current resourceVersion to every watch that allows them. */
  sendBookmarks(): number {
    let sent = 0;
    for (const watcher of this.watchers) if (watcher.bookmarks) sent += this.bookmark(watcher) ? 1 : 0;
    return sent;
  }

  openWatches(collection?: string): number {
    return [...this.watchers].filter((watcher) => collection === undefined || watcher.collection === collection).length;
  }

  async close(): Promise<void> {
    for (const timer of this.pendingGc) clearTimeout(timer);
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- Storage ---

  private definition(collection: string): ResourceDefinition {
    const definition = this.definitions.get(collection);
    if (!definition) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${collection})`);
    return definition;
  }

  private collection(path: string): Map<string, KubeObject> {
    let held = this.objects.get(path);
    if (!held) this.objects.set(path, (held = new Map()));
    return held;
  }

  private checkSize(object: KubeObject): void {
    if (Buffer.byteLength(JSON.stringify(object)) > this.maxObjectBytes) throw new HttpError(413, 'RequestEntityTooLarge', 'etcdserver: request is too large');
  }

  private now(): string {
    return this.clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private create(definition: ResourceDefinition, object: KubeObject, fromRequest: boolean): KubeObject {
    const metadata = object.metadata;
    if (!metadata.name && metadata.generateName) metadata.name = `${metadata.generateName}${randomUUID().slice(0, 5)}`;
    if (!metadata.name) throw new HttpError(422, 'Invalid', 'metadata.name: Required value: name or generateName is required');
    if (definition.namespaced && !metadata.namespace) throw new HttpError(422, 'Invalid', 'metadata.namespace: Required value');
    if (!definition.namespaced) delete metadata.namespace;
    const held = this.collection(collectionOf(definition));
    const key = keyOf(metadata.namespace, metadata.name);
    if (held.has(key)) {
      throw new HttpError(409, 'AlreadyExists', `${definition.plural}${definition.group ? `.${definition.group}` : ''} "${metadata.name}" already exists`, {
        name: metadata.name,
        kind: definition.plural,
      });
    }
    const stored: KubeObject = { ...object, apiVersion: apiVersionOf(definition), kind: definition.kind };
    // On create through the API a status subresource's status is reset; test set-up (put) may seed one.
    if (fromRequest && definition.statusSubresource) delete stored.status;
    stored.metadata = {
      ...metadata,
      uid: metadata.uid ?? randomUUID(),
      resourceVersion: String(++this.revision),
      generation: 1,
      creationTimestamp: this.now(),
    };
    delete stored.metadata.deletionTimestamp;
    if (fromRequest) this.checkSize(stored);
    held.set(key, stored);
    this.publish(collectionOf(definition), 'ADDED', stored);
    return stored;
  }

  /**
   * Stores `next` in place of `existing` (same resourceVersion checked by the caller): `main` keeps the stored status
   * when the kind has a status subresource, `status` keeps everything but the status, `whole` takes all.
   */
  private update(definition: ResourceDefinition, existing: KubeObject, body: KubeObject, part: 'main' | 'status' | 'whole'): KubeObject {
    let next: KubeObject;
    if (part === 'status') {
      next = { ...structuredClone(existing) };
      if (body.status === undefined) delete next.status;
      else next.status = structuredClone(body.status);
    } else {
      next = structuredClone(body);
      next.apiVersion = apiVersionOf(definition);
      next.kind = definition.kind;
      next.metadata = {
        ...next.metadata,
        name: existing.metadata.name,
        uid: existing.metadata.uid!,
        creationTimestamp: existing.metadata.creationTimestamp!,
        ...(existing.metadata.deletionTimestamp ? { deletionTimestamp: existing.metadata.deletionTimestamp } : {}),
      };
      if (existing.metadata.namespace) next.metadata.namespace = existing.metadata.namespace;
      else delete next.metadata.namespace;
      if (!existing.metadata.deletionTimestamp) delete next.metadata.deletionTimestamp;
      if (part === 'main' && definition.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = structuredClone(existing.status);
      }
    }
    if (existing.metadata.deletionTimestamp) {
      const added = (next.metadata.finalizers ?? []).filter((finalizer) => !(existing.metadata.finalizers ?? []).includes(finalizer));
      if (added.length > 0) throw new HttpError(422, 'Invalid', `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`);
    }
    next.metadata.generation = (existing.metadata.generation ?? 1) + (specOf(next) === specOf(existing) ? 0 : 1);
    next.metadata.resourceVersion = existing.metadata.resourceVersion!;
    if ((next.metadata.finalizers ?? []).length === 0) delete next.metadata.finalizers;
    if (comparable(next) === comparable(existing)) return existing;
    const collection = collectionOf(definition);
    if (existing.metadata.deletionTimestamp && !next.metadata.finalizers) {
      // The last finalizer went: the deletion the finalizers held completes now.
      return this.erase(definition, next, 'Background');
    }
    this.checkSize(next);
    next.metadata.resourceVersion = String(++this.revision);
    this.collection(collection).set(keyOf(next.metadata.namespace, next.metadata.name), next);
    this.publish(collection, 'MODIFIED', next, existing);
    return next;
  }

  private remove(definition: ResourceDefinition, object: KubeObject, propagation: string): KubeObject {
    if ((object.metadata.finalizers ?? []).length === 0) return this.erase(definition, object, propagation);
    if (object.metadata.deletionTimestamp) return object;
    const next = structuredClone(object);
    next.metadata.deletionTimestamp = this.now();
    next.metadata.deletionGracePeriodSeconds = 0;
    next.metadata.resourceVersion = String(++this.revision);
    const collection = collectionOf(definition);
    this.collection(collection).set(keyOf(next.metadata.namespace, next.metadata.name), next);
    this.publish(collection, 'MODIFIED', next, object);
    return next;
  }

  private erase(definition: ResourceDefinition, object: KubeObject, propagation: string): KubeObject {
    const collection = collectionOf(definition);
    this.collection(collection).delete(keyOf(object.metadata.namespace, object.metadata.name));
    const gone = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } };
    this.publish(collection, 'DELETED', gone);
    if (propagation === 'Orphan') this.orphan(object.metadata.uid!);
    else this.scheduleGc();
    return gone;
  }

  private orphan(uid: string): void {
    for (const [collection, held] of this.objects) {
      const definition = this.definitions.get(collection);
      if (!definition) continue;
      for (const object of [...held.values()]) {
        const owners = object.metadata.ownerReferences ?? [];
        if (!owners.some((owner) => owner.uid === uid)) continue;
        const next = structuredClone(object);
        next.metadata.ownerReferences = owners.filter((owner) => owner.uid !== uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        this.update(definition, object, next, 'whole');
      }
    }
  }

  /** The garbage collector: dependents none of whose owners exist any more are deleted (their finalizers apply). */
  private scheduleGc(): void {
    const timer = setTimeout(() => {
      this.pendingGc.delete(timer);
      const uids = new Set<string>();
      for (const held of this.objects.values()) for (const object of held.values()) uids.add(object.metadata.uid!);
      for (const [collection, held] of this.objects) {
        const definition = this.definitions.get(collection);
        if (!definition) continue;
        for (const object of [...held.values()]) {
          const owners = object.metadata.ownerReferences ?? [];
          if (owners.length > 0 && owners.every((owner) => !uids.has(owner.uid)) && !object.metadata.deletionTimestamp) this.remove(definition, object, 'Background');
        }
      }
    }, this.gcDelay);
    this.pendingGc.add(timer);
  }

  private publish(collection: string, type: EventType, object: KubeObject, previous?: KubeObject): void {
    const event: WatchEvent = { revision: this.revision, collection, type, object, ...(previous ? { previous } : {}) };
    this.events.push(event);
    while (this.events.length > this.history) this.compacted = this.events.shift()!.revision;
    for (const watcher of this.watchers) if (watcher.collection === collection) this.deliver(watcher, event);
  }

  // --- Watches ---

  private visible(watcher: Watcher, object: KubeObject | undefined): boolean {
    if (!object) return false;
    if (watcher.namespace !== undefined && object.metadata.namespace !== watcher.namespace) return false;
    return watcher.matches(object);
  }

  private deliver(watcher: Watcher, event: WatchEvent): void {
    const now = this.visible(watcher, event.object);
    if (event.type !== 'MODIFIED') {
      if (now) this.send(watcher.response, event.type, event.object);
      return;
    }
    const before = this.visible(watcher, event.previous);
    if (now) this.send(watcher.response, before ? 'MODIFIED' : 'ADDED', event.object);
    else if (before) this.send(watcher.response, 'DELETED', event.object);
  }

  private send(response: ServerResponse, type: string, object: unknown): void {
    response.write(`${JSON.stringify({ type, object })}\n`);
  }

  private bookmark(watcher: Watcher): boolean {
    if (watcher.response.writableEnded) return false;
    this.send(watcher.response, 'BOOKMARK', {
      kind: watcher.definition.kind,
      apiVersion: apiVersionOf(watcher.definition),
      metadata: { resourceVersion: String(this.revision) },
    });
    return true;
  }

  private watch(definition: ResourceDefinition, collection: string, namespace: string | undefined, query: URLSearchParams, response: ServerResponse): void {
    const from = query.get('resourceVersion') ?? '';
    const matchLabels = labelSelector(query.get('labelSelector'));
    const matchFields = fieldSelector(query.get('fieldSelector'));
    const watcher: Watcher = {
      collection,
      ...(namespace !== undefined ? { namespace } : {}),
      matches: (object) => matchLabels(object) && matchFields(object),
      response,
      definition,
      bookmarks: query.get('allowWatchBookmarks') === 'true',
      timers: [],
    };
    const since = from === '' || from === '0' ? undefined : Number(from);
    if (since !== undefined && (!Number.isInteger(since) || since < this.compacted)) {
      const message = `too old resource version: ${from} (${this.compacted + 1})`;
      if (this.expired === 'status') throw new HttpError(410, 'Expired', message);
      response.writeHead(200, { 'content-type': 'application/json' });
      this.send(response, 'ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 });
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    if (since === undefined) {
      // No resourceVersion: the current state as ADDED events, then changes.
      for (const object of this.collection(collection).values()) if (this.visible(watcher, object)) this.send(response, 'ADDED', object);
    } else {
      for (const event of this.events) if (event.collection === collection && event.revision > since) this.deliver(watcher, event);
    }
    this.watchers.add(watcher);
    const timeout = Number(query.get('timeoutSeconds') ?? '0');
    if (timeout > 0) watcher.timers.push(setTimeout(() => response.end(), timeout * 1000));
    if (watcher.bookmarks && this.bookmarkInterval > 0) {
      const tick = () => {
        this.bookmark(watcher);
        watcher.timers.push(setTimeout(tick, this.bookmarkInterval));
      };
      watcher.timers.push(setTimeout(tick, this.bookmarkInterval));
    }
    response.on('close', () => {
      for (const timer of watcher.timers) clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  // --- HTTP ---

  private status(response: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) }));
  }

  private json(response: ServerResponse, code: number, body: unknown): void {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  private async body(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return undefined;
    const type = request.headers['content-type'] ?? '';
    try {
      const body: unknown = type.startsWith(APPLY_PATCH) ? parseYaml(text) : JSON.parse(text);
      const call = this.bodies.get(request);
      if (call) call.body = body;
      return body;
    } catch (error) {
      throw new HttpError(400, 'BadRequest', `the request body could not be decoded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private fault(method: string, path: string, watch: boolean, token: string): Fault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method === method) &&
        (fault.token === undefined || fault.token === token) &&
        (fault.watch === undefined || fault.watch === watch) &&
        (fault.path === undefined || (typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://double');
    const method = request.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    const call: RecordedCall = { token: (request.headers.authorization ?? '').replace(/^Bearer /, ''), method, path: url.pathname, query: url.searchParams, at: performance.now() };
    this.calls.push(call);
    this.bodies.set(request, call);
    try {
      if (this.latency > 0) await sleep(this.latency);
      const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      const fault = this.fault(method, url.pathname, isWatch, call.token);
      if (fault?.delay) await sleep(fault.delay);
      if (fault && fault.code > 0) throw new HttpError(fault.code, fault.reason, fault.message ?? `injected ${fault.code} ${fault.reason}`);
      if (url.pathname === '/version') return this.json(response, 200, { ...this.version, platform: 'linux/amd64' });
      await this.serve(method, url, isWatch, request, response);
    } catch (error) {
      if (response.headersSent) return void response.destroy();
      if (error instanceof HttpError) return this.status(response, error.code, error.reason, error.message, error.details);
      return this.status(response, 500, 'InternalError', error instanceof Error ? error.message : String(error));
    }
  }

  private async serve(method: string, url: URL, isWatch: boolean, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsed = parseResourcePath(url.pathname);
    if (!parsed) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const definition = this.definition(parsed.collection);
    const { collection, namespace, name, subresource } = parsed;
    if (subresource !== undefined && (subresource !== 'status' || !definition.statusSubresource)) {
      throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    }
    if (namespace !== undefined && !definition.namespaced) throw new HttpError(404, 'NotFound', `${definition.kind} is not namespaced`);
    const held = this.collection(collection);
    const query = url.searchParams;
    const described = () => `${definition.plural}${definition.group ? `.${definition.group}` : ''} "${name}"`;
    const found = (): KubeObject => {
      const object = held.get(keyOf(definition.namespaced ? namespace : undefined, name!));
      if (!object) throw new HttpError(404, 'NotFound', `${described()} not found`, { name, kind: definition.plural });
      return object;
    };
    const selectorOf = () => {
      try {
        const labels = labelSelector(query.get('labelSelector'));
        const fields = fieldSelector(query.get('fieldSelector'));
        return (object: KubeObject) => labels(object) && fields(object);
      } catch (error) {
        throw new HttpError(400, 'BadRequest', error instanceof Error ? error.message : String(error));
      }
    };

    if (method === 'GET' && name === undefined) {
      if (isWatch) return this.watch(definition, collection, namespace, query, response);
      if (this.failLists > 0) {
        this.failLists -= 1;
        throw new HttpError(500, 'InternalError', 'injected list failure');
      }
      const matches = selectorOf();
      const items = [...held.values()]
        .filter((object) => (namespace === undefined || object.metadata.namespace === namespace) && matches(object))
        .sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)));
      return this.json(response, 200, { apiVersion: apiVersionOf(definition), kind: `${definition.kind}List`, metadata: { resourceVersion: String(this.revision) }, items });
    }
    if (method === 'GET') return this.json(response, 200, found());

    const body = await this.body(request);
    if (method === 'POST' && name === undefined) {
      if (!isObject(body) || !isObject(body.metadata)) throw new HttpError(400, 'BadRequest', 'the request body must be an object with metadata');
      const object = structuredClone(body) as KubeObject;
      if (definition.namespaced) {
        if (namespace === undefined) throw new HttpError(405, 'MethodNotAllowed', `POST ${definition.kind} needs a namespaced path`);
        if (object.metadata.namespace !== undefined && object.metadata.namespace !== namespace) {
          throw new HttpError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
        }
        object.metadata.namespace = namespace;
      }
      return this.json(response, 201, this.create(definition, object, true));
    }
    if (name === undefined) throw new HttpError(405, 'MethodNotAllowed', `${method} on a collection is not served by the double`);

    if (method === 'PUT') {
      if (!isObject(body) || !isObject(body.metadata)) throw new HttpError(400, 'BadRequest', 'the request body must be an object with metadata');
      const object = body as KubeObject;
      const existing = found();
      if (object.metadata.name !== name) throw new HttpError(400, 'BadRequest', `the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${name})`);
      this.checkVersion(definition, existing, object.metadata.resourceVersion, described, true);
      const merged = { ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata.resourceVersion! } };
      return this.json(response, 200, this.update(definition, existing, merged, subresource ? 'status' : 'main'));
    }
    if (method === 'PATCH') {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
      const existing = held.get(keyOf(definition.namespaced ? namespace : undefined, name));
      if (type === APPLY_PATCH) {
        if (!query.get('fieldManager')) throw new HttpError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
        if (!isObject(body)) throw new HttpError(400, 'BadRequest', 'an apply patch must be an object');
        if (!existing) {
          const object = structuredClone(body) as KubeObject;
          object.metadata = { ...(isObject(object.metadata) ? object.metadata : {}), name, ...(namespace ? { namespace } : {}) };
          return this.json(response, 201, this.create(definition, object, !subresource));
        }
      }
      const current = existing ?? found();
      let patched: unknown;
      if (type === MERGE_PATCH || type === APPLY_PATCH || (type === STRATEGIC_MERGE_PATCH && !definition.custom)) patched = mergePatch(current, body);
      else if (type === JSON_PATCH) {
        const applied = jsonPatch(current, body);
        if (!applied.ok) throw new HttpError(422, 'Invalid', `the JSON patch could not be applied: ${applied.message}`);
        patched = applied.value;
      } else throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${[JSON_PATCH, MERGE_PATCH, APPLY_PATCH, ...(definition.custom ? [] : [STRATEGIC_MERGE_PATCH])].join(', ')}`);
      if (!isObject(patched) || !isObject(patched.metadata)) throw new HttpError(422, 'Invalid', 'the patched object has no metadata');
      const object = patched as KubeObject;
      this.checkVersion(definition, current, object.metadata.resourceVersion, described, false);
      return this.json(response, 200, this.update(definition, current, { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion! } }, subresource ? 'status' : 'main'));
    }
    if (method === 'DELETE') {
      const existing = found();
      const options = isObject(body) ? body : {};
      const preconditions = isObject(options.preconditions) ? options.preconditions : {};
      if (typeof preconditions.uid === 'string' && preconditions.uid !== existing.metadata.uid) {
        throw new HttpError(409, 'Conflict', `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${existing.metadata.uid}`);
      }
      if (typeof preconditions.resourceVersion === 'string' && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
        throw new HttpError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
      }
      const propagation = typeof options.propagationPolicy === 'string' ? options.propagationPolicy : (query.get('propagationPolicy') ?? 'Background');
      return this.json(response, 200, this.remove(definition, existing, propagation));
    }
    throw new HttpError(405, 'MethodNotAllowed', `${method} is not served by the double`);
  }

  /** Optimistic concurrency: a resourceVersion that is not the stored one is a conflict; custom resources' PUT needs one. */
  private checkVersion(definition: ResourceDefinition, existing: KubeObject, given: unknown, described: () => string, isPut: boolean): void {
    if (given === undefined || given === '') {
      if (isPut && definition.custom) throw new HttpError(422, 'Invalid', `${described()} is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`);
      return;
    }
    if (given !== existing.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${described()}: the object has been modified; please apply your changes to the latest version and try again`, {
        name: existing.metadata.name,
        kind: definition.plural,
      });
    }
  }
}

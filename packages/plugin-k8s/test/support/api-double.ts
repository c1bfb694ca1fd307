// A Kubernetes API server double on loopback HTTP, for tests only: collections of objects with resourceVersions, list,
// watch from a resourceVersion (410 Gone once it is older than what the double keeps), /version, and injected faults.
// It implements what client-node's informers and typed clients call, with the API server's semantics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type KubeObject = { kind?: string; metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string }; [key: string]: unknown };
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
interface WatchEvent {
  resourceVersion: number;
  collection: string;
  type: EventType;
  object: KubeObject;
}

export interface ApiDoubleOptions {
  /** What `/version` answers. */
  version?: { major: string; minor: string; gitVersion: string };
  /** Events kept for watches; a watch from an older resourceVersion gets 410 Gone. */
  history?: number;
}

export class ApiDouble {
  private readonly server: Server;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly events: WatchEvent[] = [];
  private readonly watchers = new Set<{ collection: string; response: ServerResponse }>();
  private revision = 1;
  private readonly history: number;
  private readonly version: NonNullable<ApiDoubleOptions['version']>;
  /** Requests as `METHOD path?query`, in order. */
  readonly requests: string[] = [];
  /** Answer the next N list requests with 500. */
  failLists = 0;

  constructor(options: ApiDoubleOptions = {}) {
    this.history = options.history ?? 1000;
    this.version = options.version ?? { major: '1', minor: '30', gitVersion: 'v1.30.2' };
    this.server = createServer((request, response) => this.handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A KubeConfig pointing at the double (plain HTTP on loopback, a bearer token as a service account has). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      // client-node refuses plain http unless TLS verification is off (there is no TLS to verify on loopback http).
      clusters: [{ name: 'double', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'test', token: 'test-token' }],
      contexts: [{ name: 'double', cluster: 'double', user: 'test' }],
      currentContext: 'double',
    });
    return kc;
  }

  /** Creates or replaces an object in a collection path (e.g. `/apis/crd.varmor.org/v1beta1/varmorpolicies`). */
  put(collection: string, object: KubeObject): KubeObject {
    const held = this.collection(collection);
    const key = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const type: EventType = held.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    stored.metadata.uid ??= held.get(key)?.metadata.uid ?? `uid-${this.revision}`;
    held.set(key, stored);
    this.publish(collection, type, stored);
    return stored;
  }

  delete(collection: string, name: string, namespace?: string): void {
    const held = this.collection(collection);
    const key = `${namespace ?? ''}/${name}`;
    const object = held.get(key);
    if (!object) throw new Error(`no ${key} in ${collection}`);
    held.delete(key);
    this.publish(collection, 'DELETED', { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } });
  }

  /** Ends every open watch connection abruptly (a dropped connection, not a clean end). */
  dropWatches(): number {
    const count = this.watchers.size;
    for (const watcher of this.watchers) watcher.response.socket?.destroy();
    this.watchers.clear();
    return count;
  }

  /** Forgets the event history: watches from any earlier resourceVersion now get 410 Gone. */
  compact(): void {
    this.events.length = 0;
  }

  openWatches(): number {
    return this.watchers.size;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private collection(path: string): Map<string, KubeObject> {
    let held = this.objects.get(path);
    if (!held) this.objects.set(path, (held = new Map()));
    return held;
  }

  private publish(collection: string, type: EventType, object: KubeObject): void {
    const event = { resourceVersion: this.revision, collection, type, object };
    this.events.push(event);
    if (this.events.length > this.history) this.events.shift();
    for (const watcher of this.watchers) if (watcher.collection === collection) this.send(watcher.response, event);
  }

  private send(response: ServerResponse, event: WatchEvent): void {
    response.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
  }

  private status(response: ServerResponse, code: number, reason: string, message: string): void {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://double');
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    if (request.method !== 'GET') return this.status(response, 405, 'MethodNotAllowed', `${request.method} is not served by the double`);
    if (url.pathname === '/version') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ ...this.version, platform: 'linux/amd64' }));
    }
    const collection = url.pathname;
    if (url.searchParams.get('watch') === 'true') return this.watch(collection, url.searchParams.get('resourceVersion') ?? '', response);
    if (this.failLists > 0) {
      this.failLists -= 1;
      return this.status(response, 500, 'InternalError', 'injected list failure');
    }
    const items = [...this.collection(collection).values()].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.revision) }, items }));
  }

  private watch(collection: string, from: string, response: ServerResponse): void {
    const since = Number(from || this.revision);
    const oldest = this.events[0]?.resourceVersion ?? this.revision + 1;
    // The API server keeps a window of events; a watch from before it must list again.
    if (since < this.revision && since + 1 < oldest) return this.status(response, 410, 'Expired', `too old resource version: ${since} (${oldest - 1})`);
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    for (const event of this.events) if (event.collection === collection && event.resourceVersion > since) this.send(response, event);
    const watcher = { collection, response };
    this.watchers.add(watcher);
    response.on('close', () => this.watchers.delete(watcher));
  }
}

import type { ModelFile, ModelMount, ModelNetwork, ModelPtrace, ModelSignal } from '../schema/varmor/armor-profile-model.js';

interface FileEntry {
  permissions: Set<string>;
  owner: boolean;
  oldPath: string | undefined;
}

const sorted = (values: Iterable<string>) => [...values].sort();
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
// Keys of entries identified by several fields; \u0000 cannot occur in a path or a label.
const key = (...parts: readonly (string | undefined)[]) => parts.map((part) => part ?? '\u0001').join('\u0000');

/**
 * What one enforcer's modeller saw, as sets, so that adding is cheap and order does not matter: the recorder adds
 * events to it, and a merge adds two results to one (reference §5.1 step 5: set union per field, file permissions
 * united, `owner = old && new`, the first non-empty `oldPath` kept). Results come out sorted, so a model is the same
 * bytes however its events or parts arrived.
 */
export class BehaviorSet {
  readonly profiles = new Set<string>();
  readonly executions = new Set<string>();
  readonly files = new Map<string, FileEntry>();
  readonly capabilities = new Set<string>();
  readonly sockets = new Map<string, { domain: string; type: string; protocol: string }>();
  readonly egresses = new Map<string, Set<number>>();
  readonly ptraces = new Map<string, { peer: string | undefined; external: boolean | undefined; permissions: Set<string> }>();
  readonly signals = new Map<string, { permissions: Set<string>; signals: Set<string> }>();
  readonly mounts = new Map<string, { path: string; type: string | undefined; flags: Set<string> }>();
  readonly syscalls = new Set<string>();
  readonly unhandled = new Set<string>();

  addFile(path: string, permissions: Iterable<string>, owner: boolean, oldPath?: string): void {
    const entry = this.files.get(path);
    if (entry === undefined) {
      this.files.set(path, { permissions: new Set(permissions), owner, oldPath: oldPath || undefined });
      return;
    }
    for (const permission of permissions) entry.permissions.add(permission);
    entry.owner &&= owner;
    if (!entry.oldPath && oldPath) entry.oldPath = oldPath;
  }

  addSocket(domain: string, type: string, protocol: string): void {
    const id = key(domain, type, protocol);
    if (!this.sockets.has(id)) this.sockets.set(id, { domain, type, protocol });
  }

  addEgress(ip: string, ports: Iterable<number>): void {
    let entry = this.egresses.get(ip);
    if (entry === undefined) this.egresses.set(ip, (entry = new Set()));
    for (const port of ports) entry.add(port);
  }

  addPtrace(peer: string | undefined, external: boolean | undefined, permissions: Iterable<string>): void {
    const id = key(peer, external === undefined ? undefined : String(external));
    let entry = this.ptraces.get(id);
    if (entry === undefined) this.ptraces.set(id, (entry = { peer, external, permissions: new Set() }));
    for (const permission of permissions) entry.permissions.add(permission);
  }

  addSignal(peer: string, permissions: Iterable<string>, signals: Iterable<string>): void {
    let entry = this.signals.get(peer);
    if (entry === undefined) this.signals.set(peer, (entry = { permissions: new Set(), signals: new Set() }));
    for (const permission of permissions) entry.permissions.add(permission);
    for (const signal of signals) entry.signals.add(signal);
  }

  addMount(path: string, type: string | undefined, flags: Iterable<string>): void {
    const id = key(path, type || undefined);
    let entry = this.mounts.get(id);
    if (entry === undefined) this.mounts.set(id, (entry = { path, type: type || undefined, flags: new Set() }));
    for (const flag of flags) entry.flags.add(flag);
  }

  get empty(): boolean {
    return (
      this.profiles.size + this.executions.size + this.files.size + this.capabilities.size + this.sockets.size + this.egresses.size +
        this.ptraces.size + this.signals.size + this.mounts.size + this.syscalls.size + this.unhandled.size ===
      0
    );
  }

  fileList(): ModelFile[] {
    return [...this.files.keys()].sort().map((path) => {
      const entry = this.files.get(path)!;
      const file: ModelFile = { path, owner: entry.owner, permissions: sorted(entry.permissions) };
      if (entry.oldPath) file.oldPath = entry.oldPath;
      return file;
    });
  }

  network(): ModelNetwork | undefined {
    if (this.sockets.size === 0 && this.egresses.size === 0) return undefined;
    const network: ModelNetwork = {};
    if (this.sockets.size > 0) network.sockets = [...this.sockets.keys()].sort().map((id) => ({ ...this.sockets.get(id)! }));
    if (this.egresses.size > 0) {
      network.egresses = [...this.egresses.keys()].sort().map((ip) => ({ ip, ports: [...this.egresses.get(ip)!].sort((a, b) => a - b) }));
    }
    return network;
  }

  ptraceList(): ModelPtrace[] {
    return [...this.ptraces.keys()].sort().map((id) => {
      const entry = this.ptraces.get(id)!;
      const ptrace: ModelPtrace = { permissions: sorted(entry.permissions) };
      if (entry.peer !== undefined) ptrace.peer = entry.peer;
      if (entry.external !== undefined) ptrace.external = entry.external;
      return ptrace;
    });
  }

  signalList(): ModelSignal[] {
    return [...this.signals.keys()].sort().map((peer) => {
      const entry = this.signals.get(peer)!;
      return { peer, permissions: sorted(entry.permissions), signals: sorted(entry.signals) };
    });
  }

  mountList(): ModelMount[] {
    return [...this.mounts.values()]
      .sort((a, b) => compareText(a.path, b.path) || compareText(a.type ?? '', b.type ?? ''))
      .map((entry) => (entry.type === undefined ? { path: entry.path, flags: sorted(entry.flags) } : { path: entry.path, type: entry.type, flags: sorted(entry.flags) }));
  }
}

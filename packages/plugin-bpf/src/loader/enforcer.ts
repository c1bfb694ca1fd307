import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressBytes } from '../compile/addresses.js';
import { CONFINED_SLOTS, INNER_MAX_ENTRIES, KEY_NAME, KEY_SIZE, PROFILE_NAME_BYTES, VALUE_SIZE } from '../encode/layout.js';
import { type MapEntry, ruleKey } from '../encode/map-entry.js';
import { type ObjectOptions, ensureBpfObject } from './bpf-object.js';
import { type Libbpf, libbpf } from './libbpf.js';
import { withLibbpfLog } from './libbpf-log.js';
import { type LoaderOutcome, errnoText, fail, succeed } from './loader-error.js';
import { bpfLsmProblem } from './lsm-status.js';
import { liveMountNamespaces, mountNamespaceOf } from './mount-namespace.js';
import { ProfileNames } from './profile-names.js';

export const DEFAULT_PIN_DIRECTORY = '/sys/fs/bpf/armorkit';

const BPF_MAP_TYPE_HASH = 1;
const BPF_F_NO_PREALLOC = 1;
const BPF_ANY = 0;
const MAPS = ['profiles', 'confined_slots', 'retired', 'pod_addresses', 'settings', 'events'] as const;
type MapName = (typeof MAPS)[number];

export interface EnforcerOptions extends ObjectOptions {
  /** Where programs and maps are pinned (default /sys/fs/bpf/armorkit). */
  pinDirectory?: string;
  /** How long to wait for another process that is attaching the programs right now. */
  attachTimeoutMs?: number;
  /** For tests: the LSM list and euid the availability check reads. */
  lsmPath?: string;
}

const markerPrefix = 'object-';
const u32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
};

function pinnedKey(pinDirectory: string): string | undefined {
  if (!existsSync(pinDirectory)) return undefined;
  return readdirSync(pinDirectory).find((name) => name.startsWith(markerPrefix))?.slice(markerPrefix.length);
}

/**
 * The BPF-LSM enforcer of this host: programs attached once and pinned under the pin directory (they stay
 * attached when this process exits), and the maps through which profiles are applied to mount namespaces.
 */
export class BpfEnforcer {
  private closed = false;

  private constructor(
    private readonly library: Libbpf,
    readonly pinDirectory: string,
    private readonly fds: Record<MapName, number>,
    /** The hash of the attached object's sources. */
    readonly objectKey: string,
    private readonly names: ProfileNames,
  ) {}

  /** Attaches the programs unless they are attached already, then opens the maps. */
  static async open(options: EnforcerOptions = {}): Promise<LoaderOutcome<BpfEnforcer>> {
    const problem = bpfLsmProblem(options.lsmPath ? { lsmPath: options.lsmPath } : {});
    if (problem) return fail(problem.code, problem.message);
    const library = libbpf();
    if ('problem' in library) return fail('bpf-libbpf-missing', library.problem);
    const object = ensureBpfObject(options);
    if (!object.ok) return object;
    const pinDirectory = options.pinDirectory ?? DEFAULT_PIN_DIRECTORY;
    const deadline = Date.now() + (options.attachTimeoutMs ?? 180_000);
    for (;;) {
      const pinned = pinnedKey(pinDirectory);
      if (pinned !== undefined) {
        if (pinned !== object.value.key) {
          return fail(
            'bpf-pinned-version-mismatch',
            `other armorkit BPF programs (object ${pinned}) are attached at ${pinDirectory}; this version is ${object.value.key}. ` +
              'Detach them first (detachEnforcer), which unconfines every namespace they hold',
          );
        }
        return BpfEnforcer.openPinned(library, pinDirectory, pinned);
      }
      let creator = false;
      try {
        mkdirSync(pinDirectory);
        creator = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          return fail('bpf-pin-failed', `cannot create ${pinDirectory}: ${(error as Error).message} (is bpffs mounted on /sys/fs/bpf?)`);
        }
      }
      if (creator) {
        const attached = attachAndPin(library, object.value.path, object.value.key, pinDirectory);
        if (!attached.ok) return attached;
        return BpfEnforcer.openPinned(library, pinDirectory, object.value.key);
      }
      // Another process is attaching: its marker appears when it is done.
      if (Date.now() > deadline) {
        return fail('bpf-pinned-incomplete', `${pinDirectory} exists but holds no complete set of programs; a process that attached them failed. Detach and retry`);
      }
      await sleep(100);
    }
  }

  /** Opens the maps of programs attached already; never loads anything (for helpers that only apply profiles). */
  static openAttached(options: { pinDirectory?: string } = {}): LoaderOutcome<BpfEnforcer> {
    const library = libbpf();
    if ('problem' in library) return fail('bpf-libbpf-missing', library.problem);
    const pinDirectory = options.pinDirectory ?? DEFAULT_PIN_DIRECTORY;
    const key = pinnedKey(pinDirectory);
    if (key === undefined) return fail('bpf-pinned-incomplete', `no armorkit BPF programs are attached at ${pinDirectory}`);
    return BpfEnforcer.openPinned(library, pinDirectory, key);
  }

  private static openPinned(library: Libbpf, pinDirectory: string, key: string): LoaderOutcome<BpfEnforcer> {
    const fds = {} as Record<MapName, number>;
    for (const name of MAPS) {
      const fd = library.objGet(join(pinDirectory, 'maps', name));
      if (fd < 0) {
        for (const open of Object.values(fds)) library.close(open);
        return fail('bpf-pinned-incomplete', `cannot open the pinned map ${name}: ${errnoText(fd)}`);
      }
      fds[name] = fd;
    }
    const names = ProfileNames.open(library, pinDirectory);
    if (!names.ok) {
      for (const open of Object.values(fds)) library.close(open);
      return names;
    }
    return succeed(new BpfEnforcer(library, pinDirectory, fds, key, names.value));
  }

  /** The ring buffer of audit events (for BpfAuditReader). */
  get eventsFd(): number {
    return this.fds.events;
  }

  /**
   * Applies a profile to a mount namespace atomically: a new inner map is filled first, then one entry of the
   * profiles map points to it. A task in that namespace sees the old profile or the new one, never a mix;
   * if anything fails the old profile stays.
   */
  applyProfile(mountNamespace: number, entries: readonly MapEntry[], options: { podAddresses?: readonly string[] } = {}): LoaderOutcome<void> {
    const { library } = this;
    const createOptions = Buffer.alloc(48);
    createOptions.writeBigUInt64LE(48n, 0);
    createOptions.writeUInt32LE(BPF_F_NO_PREALLOC, 28);
    const inner = library.mapCreate(BPF_MAP_TYPE_HASH, 'armorkit_rules', KEY_SIZE, VALUE_SIZE, INNER_MAX_ENTRIES, createOptions);
    if (inner < 0) return fail('bpf-map-operation-failed', `cannot create a profile map: ${errnoText(inner)}`);
    try {
      for (const entry of entries) {
        const result = library.update(inner, entry.key, entry.value, BPF_ANY);
        if (result < 0) return fail('bpf-map-operation-failed', `cannot fill the profile map: ${errnoText(result)}`);
      }
      if (options.podAddresses) {
        const pod = podAddressesValue(options.podAddresses);
        if (!pod.ok) return pod;
        const result = pod.value
          ? library.update(this.fds.pod_addresses, u32(mountNamespace), pod.value, BPF_ANY)
          : library.remove(this.fds.pod_addresses, u32(mountNamespace));
        if (result < 0 && !(pod.value === undefined && result === -2)) {
          return fail('bpf-map-operation-failed', `cannot set the pod addresses: ${errnoText(result)}`);
        }
      }
      const named = this.names.record(mountNamespace, entries);
      if (!named.ok) return named;
      const hinted = library.update(this.fds.confined_slots, u32(mountNamespace % CONFINED_SLOTS), Buffer.from([1]), BPF_ANY);
      if (hinted < 0) return fail('bpf-map-operation-failed', `cannot mark mount namespace ${mountNamespace} as confined: ${errnoText(hinted)}`);
      // An earlier namespace with this id may have died with a profile: the mark that kept its profile off goes first.
      library.remove(this.fds.retired, u32(mountNamespace));
      const swapped = library.update(this.fds.profiles, u32(mountNamespace), u32(inner), BPF_ANY);
      if (swapped < 0) return fail('bpf-map-operation-failed', `cannot apply the profile to mount namespace ${mountNamespace}: ${errnoText(swapped)}`);
      return succeed(undefined);
    } finally {
      library.close(inner);
    }
  }

  /** Removes the profile of a mount namespace; false when it had none. */
  removeProfile(mountNamespace: number): LoaderOutcome<boolean> {
    const result = this.library.remove(this.fds.profiles, u32(mountNamespace));
    this.library.remove(this.fds.pod_addresses, u32(mountNamespace));
    this.library.remove(this.fds.retired, u32(mountNamespace));
    if (result === -2) return succeed(false);
    if (result < 0) return fail('bpf-map-operation-failed', `cannot remove the profile of mount namespace ${mountNamespace}: ${errnoText(result)}`);
    return succeed(true);
  }

  private keys(fd: number): number[] {
    const keys: number[] = [];
    let key: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(4);
      if (this.library.nextKey(fd, key, next) < 0) break;
      keys.push(next.readUInt32LE(0));
      key = next;
    }
    return keys.sort((a, b) => a - b);
  }

  /** The mount namespaces that have a profile (and still exist). */
  confinedNamespaces(): number[] {
    const retired = new Set(this.keys(this.fds.retired));
    return this.keys(this.fds.profiles).filter((id) => !retired.has(id));
  }

  /**
   * The name of the profile a mount namespace has, for events; for a namespace whose profile was removed since
   * (a command run with `armorkit run` that has exited), the one it had last.
   */
  profileName(mountNamespace: number): string | undefined {
    return this.appliedProfileName(mountNamespace) ?? this.names.nameOf(mountNamespace);
  }

  private appliedProfileName(mountNamespace: number): string | undefined {
    const id = Buffer.alloc(4);
    if (this.library.lookup(this.fds.profiles, u32(mountNamespace), id) < 0) return undefined;
    const fd = this.library.mapFdById(id.readUInt32LE(0));
    if (fd < 0) return undefined;
    try {
      const value = Buffer.alloc(VALUE_SIZE);
      if (this.library.lookup(fd, ruleKey({ kind: KEY_NAME }), value) < 0) return undefined;
      const name = value.subarray(0, PROFILE_NAME_BYTES);
      return name.subarray(0, name.indexOf(0) < 0 ? PROFILE_NAME_BYTES : name.indexOf(0)).toString('utf8');
    } finally {
      this.library.close(fd);
    }
  }

  /**
   * Drops the profiles of mount namespaces that are gone: freed (the programs mark those, and no longer apply
   * their profiles) or with no process in them any more.
   */
  removeStaleProfiles(): number[] {
    const live = liveMountNamespaces();
    const retired = new Set(this.keys(this.fds.retired));
    const stale = this.keys(this.fds.profiles).filter((id) => retired.has(id) || !live.has(id));
    for (const id of stale) this.removeProfile(id);
    for (const id of retired) if (!stale.includes(id)) this.library.remove(this.fds.retired, u32(id));
    return stale;
  }

  /** Closes this process's handles; the programs and profiles stay. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of Object.values(this.fds)) this.library.close(fd);
    this.names.close();
  }
}

/** The pod_addresses value for up to one IPv4 and one IPv6 address, undefined for none. */
function podAddressesValue(addresses: readonly string[]): LoaderOutcome<Buffer | undefined> {
  if (addresses.length === 0) return succeed(undefined);
  const value = Buffer.alloc(24);
  let flags = 0;
  for (const text of addresses) {
    const address = addressBytes(text);
    if (!address) return fail('bpf-map-operation-failed', `${JSON.stringify(text)} is not an IP address`);
    if (address.family === 4 && !(flags & 1)) {
      flags |= 1;
      value.set(address.bytes, 4);
    } else if (address.family === 6 && !(flags & 2)) {
      flags |= 2;
      value.set(address.bytes, 8);
    } else {
      return fail('bpf-map-operation-failed', `a pod has at most one IPv4 and one IPv6 address; ${text} is one too many`);
    }
  }
  value.writeUInt32LE(flags, 0);
  return succeed(value);
}

/** Loads the object, attaches every program, pins links and maps, writes the settings; the marker comes last. */
function attachAndPin(library: Libbpf, objectPath: string, key: string, pinDirectory: string): LoaderOutcome<void> {
  const object = library.openObject(objectPath);
  if (!object) {
    rmSync(pinDirectory, { recursive: true, force: true });
    return fail('bpf-object-load-failed', `libbpf cannot open ${objectPath}: ${errnoText(library.errno())}`);
  }
  const links: unknown[] = [];
  const undo = (error: LoaderOutcome<void>) => {
    for (const link of links) library.destroyLink(link);
    library.closeObject(object);
    rmSync(pinDirectory, { recursive: true, force: true });
    return error;
  };
  const loaded = withLibbpfLog(library, () => library.loadObject(object));
  if (loaded.result !== 0) {
    return undo(fail('bpf-object-load-failed', `the kernel refused the BPF programs: ${errnoText(loaded.result)}\n${tail(loaded.log)}`));
  }
  mkdirSync(join(pinDirectory, 'links'));
  mkdirSync(join(pinDirectory, 'maps'));
  for (let program = library.nextProgram(object, null); program; program = library.nextProgram(object, program)) {
    const name = library.programName(program);
    const attached = withLibbpfLog(library, () => library.attach(program));
    if (!attached.result) return undo(fail('bpf-attach-failed', `cannot attach ${name}: ${errnoText(library.errno())} ${tail(attached.log)}`));
    links.push(attached.result);
    const pinned = library.pinLink(attached.result, join(pinDirectory, 'links', name));
    if (pinned < 0) return undo(fail('bpf-pin-failed', `cannot pin the link of ${name}: ${errnoText(pinned)}`));
  }
  for (const name of MAPS) {
    const map = library.findMap(object, name);
    const pinned = map ? library.pinMap(map, join(pinDirectory, 'maps', name)) : -2;
    if (pinned < 0) return undo(fail('bpf-pin-failed', `cannot pin the map ${name}: ${errnoText(pinned)}`));
  }
  const settings = library.findMap(object, 'settings');
  const value = Buffer.alloc(8);
  value.writeUInt32LE(mountNamespaceOf(1), 0);
  const written = settings ? library.update(library.mapFd(settings), u32(0), value, BPF_ANY) : -2;
  if (written < 0) return undo(fail('bpf-map-operation-failed', `cannot write the settings: ${errnoText(written)}`));
  // The links stay attached through their pins once this process lets go of them.
  for (const link of links) {
    library.disconnectLink(link);
    library.destroyLink(link);
  }
  library.closeObject(object);
  mkdirSync(join(pinDirectory, `${markerPrefix}${key}`));
  return succeed(undefined);
}

/** The end of libbpf's log, where the verifier says what it refused. */
function tail(log: string): string {
  const lines = log.trim().split('\n');
  return lines.slice(-40).join('\n');
}

/**
 * Detaches the programs: removes the pins, so the kernel drops programs and maps once no process holds them.
 * Every confined namespace is unconfined by this.
 */
export function detachEnforcer(pinDirectory = DEFAULT_PIN_DIRECTORY): LoaderOutcome<boolean> {
  if (!existsSync(pinDirectory)) return succeed(false);
  try {
    rmSync(pinDirectory, { recursive: true });
  } catch (error) {
    return fail('bpf-pin-failed', `cannot remove ${pinDirectory}: ${(error as Error).message}`);
  }
  return succeed(true);
}

import { join } from 'node:path';
import { KEY_NAME, PROFILE_NAME_BYTES } from '../encode/layout.js';
import { type MapEntry, ruleKey } from '../encode/map-entry.js';
import type { Libbpf } from './libbpf.js';
import { type LoaderOutcome, errnoText, fail, succeed } from './loader-error.js';

const BPF_MAP_TYPE_LRU_HASH = 9;
const BPF_ANY = 0;
/** Mount namespaces remembered; the least recently written ones are forgotten first. */
export const REMEMBERED_NAMESPACES = 4096;
export const PROFILE_NAMES_PIN = 'profile_names';

const u32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
};

/** The profile name an encoded profile carries (its KEY_NAME entry), as the fixed-size value the map holds. */
export function profileNameValue(entries: readonly MapEntry[]): Buffer | undefined {
  const key = ruleKey({ kind: KEY_NAME });
  const entry = entries.find((candidate) => candidate.key.equals(key));
  return entry ? Buffer.from(entry.value.subarray(0, PROFILE_NAME_BYTES)) : undefined;
}

const nameText = (value: Buffer) => {
  const end = value.indexOf(0);
  return value.subarray(0, end < 0 ? value.length : end).toString('utf8');
};

/**
 * Which profile each mount namespace was given last, in a pinned LRU map that outlives the profile itself: a
 * command run with `armorkit run` has its profile removed when it exits, yet the events it caused are read from
 * the ring buffer later and must still name the profile. Written by whoever applies a profile, read by the audit
 * reader. Bounded: the map forgets the least recently applied namespaces first.
 */
export class ProfileNames {
  private constructor(
    private readonly library: Libbpf,
    private readonly fd: number,
  ) {}

  /** Opens the map pinned under `<pinDirectory>/maps`, creating and pinning it on first use. */
  static open(library: Libbpf, pinDirectory: string): LoaderOutcome<ProfileNames> {
    const path = join(pinDirectory, 'maps', PROFILE_NAMES_PIN);
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = library.objGet(path);
      if (existing >= 0) return succeed(new ProfileNames(library, existing));
      const options = Buffer.alloc(48);
      options.writeBigUInt64LE(48n, 0);
      const created = library.mapCreate(BPF_MAP_TYPE_LRU_HASH, 'armorkit_names', 4, PROFILE_NAME_BYTES, REMEMBERED_NAMESPACES, options);
      if (created < 0) return fail('bpf-map-operation-failed', `cannot create the profile-name map: ${errnoText(created)}`);
      const pinned = library.objPin(created, path);
      if (pinned >= 0) return succeed(new ProfileNames(library, created));
      library.close(created);
      // Another process pinned its map first (EEXIST): use that one.
      if (pinned !== -17) return fail('bpf-pin-failed', `cannot pin the profile-name map at ${path}: ${errnoText(pinned)}`);
    }
    return fail('bpf-pin-failed', `cannot open the profile-name map at ${path}`);
  }

  /** Remembers the profile a mount namespace gets; profiles without a name entry are not remembered. */
  record(mountNamespace: number, entries: readonly MapEntry[]): LoaderOutcome<void> {
    const value = profileNameValue(entries);
    if (!value) return succeed(undefined);
    const written = this.library.update(this.fd, u32(mountNamespace), value, BPF_ANY);
    if (written < 0) return fail('bpf-map-operation-failed', `cannot record the profile name of mount namespace ${mountNamespace}: ${errnoText(written)}`);
    return succeed(undefined);
  }

  /** The profile the namespace was given last, even if it has been removed since. */
  nameOf(mountNamespace: number): string | undefined {
    const value = Buffer.alloc(PROFILE_NAME_BYTES);
    if (this.library.lookup(this.fd, u32(mountNamespace), value) < 0) return undefined;
    const name = nameText(value);
    return name === '' ? undefined : name;
  }

  close(): void {
    this.library.close(this.fd);
  }
}

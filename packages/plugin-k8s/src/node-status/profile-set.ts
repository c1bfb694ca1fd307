import { createHash } from 'node:crypto';

// What a node holds, as one short value: the set of ArmorProfiles (each `<namespace>/<name>` and the digest of its
// profile) that the agent has applied, hashed so that the report stays the same size however many profiles there are.
// The hash of a set is the sum (mod 2^64) of its entries' hashes, so that adding or removing one entry updates it in
// O(1) and the order profiles were seen in does not matter: the agent hashes the set it applied, the controller the
// sets its ArmorProfile cache went through (ProfileHistory), and a node's value names the state it has reached.

const MODULUS = 1n << 64n;

/** An entry of the set: the profile's key and digest, hashed to 64 bits. */
function entryHash(key: string, digest: string): bigint {
  return createHash('sha256').update(key).update('\0').update(digest).digest().readBigUInt64BE(0);
}

/** 16 hex digits: the value an ArmorNodeStatus carries in `status.appliedSet`. */
const formatSetHash = (sum: bigint): string => sum.toString(16).padStart(16, '0');

/** The set's hash, kept as entries come and go. */
export class ProfileSet {
  private sum = 0n;
  private readonly entries = new Map<string, string>();

  /** The digest the set holds for a key. */
  digestOf(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** Puts the key at this digest (or removes it, with undefined); whether the set changed. */
  set(key: string, digest: string | undefined): boolean {
    const before = this.entries.get(key);
    if (before === digest) return false;
    if (before !== undefined) this.sum = (this.sum - entryHash(key, before) + MODULUS) % MODULUS;
    if (digest === undefined) this.entries.delete(key);
    else {
      this.entries.set(key, digest);
      this.sum = (this.sum + entryHash(key, digest)) % MODULUS;
    }
    return true;
  }

  get hash(): string {
    return formatSetHash(this.sum);
  }
}

/** The hash of a whole set of `[key, digest]` entries. */
export function profileSetHash(entries: Iterable<readonly [string, string]>): string {
  const set = new ProfileSet();
  for (const [key, digest] of entries) set.set(key, digest);
  return set.hash;
}

import { ProfileSet } from '../node-status/profile-set.js';

/**
 * The sets of ArmorProfiles the controller's cache went through, numbered in the order the watch gave them (the
 * order every agent's watch gives them too). A node reports the hash of the set it has applied; the step of that
 * hash says which profile versions it holds: a profile that last changed at step c is held by a node at step s ≥ c.
 * The watch order is the API server's, so an agent's set is one of these states (or one the controller has not
 * seen yet, when its watch is behind: it then counts as the last step it was known at, which under-counts only the
 * profiles that changed since).
 */
export class ProfileHistory {
  private readonly set = new ProfileSet();
  private current = 0;
  /** The latest step each hash was reached at. */
  private readonly stepOfHash = new Map<string, number>();
  /** The step of each key's last change (added, changed, removed). */
  private readonly lastChange = new Map<string, number>();
  /** The key changed at each step since `first` (changes[0] is step first + 1). */
  private changes: string[] = [];
  private first = 0;
  private lastRange: { from: number; to: number; keys: ReadonlySet<string> } | undefined;

  constructor(
    /** Steps remembered: a node further behind counts as behind on every profile. */
    private readonly limit = 100_000,
  ) {
    this.stepOfHash.set(this.set.hash, 0);
  }

  /** A profile's digest now; undefined when it is gone or being deleted. The new step, or undefined when nothing changed. */
  update(key: string, digest: string | undefined): number | undefined {
    if (!this.set.set(key, digest)) return undefined;
    this.current += 1;
    this.lastChange.set(key, this.current);
    this.changes.push(key);
    this.stepOfHash.set(this.set.hash, this.current);
    if (this.changes.length > this.limit) this.forget();
    return this.current;
  }

  /** The hash of the set now. */
  get hash(): string {
    return this.set.hash;
  }

  /** The step a node reporting this hash has reached; undefined when the controller has not seen (or forgot) that set. */
  stepOf(hash: string): number | undefined {
    return this.stepOfHash.get(hash);
  }

  /** The step of the key's last change; 0 for one the history never saw change (it cannot be held by anyone). */
  changedAt(key: string): number {
    return this.lastChange.get(key) ?? 0;
  }

  /** The digest the set holds for the key now. */
  digestOf(key: string): string | undefined {
    return this.set.digestOf(key);
  }

  /** The keys that changed after step `from` up to step `to`; undefined when `from` is older than what is remembered. */
  changedBetween(from: number, to: number): ReadonlySet<string> | undefined {
    if (from < this.first) return undefined;
    // A wave of reports moves every node over the same steps: the same set is handed to each (and is never changed).
    if (this.lastRange?.from !== from || this.lastRange.to !== to) this.lastRange = { from, to, keys: new Set(this.changes.slice(from - this.first, to - this.first)) };
    return this.lastRange.keys;
  }

  /** Drops the older half of the steps (and the hashes only they reached). */
  private forget(): void {
    const drop = Math.floor(this.changes.length / 2);
    this.changes = this.changes.slice(drop);
    this.first += drop;
    for (const [hash, step] of this.stepOfHash) if (step < this.first) this.stepOfHash.delete(hash);
  }
}

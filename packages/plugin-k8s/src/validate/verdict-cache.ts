import { createHash } from 'node:crypto';

/** Texts up to this many characters key the cache themselves; longer ones by their SHA-256, so 1,024 entries stay small. */
export const TEXT_KEY_MAX = 8192;

/**
 * The cache key of a text: the text itself when short (a Map hashes a string in a fraction of a SHA-256's time), else
 * `\0sha256:` and its digest. A text here is JSON (it starts with `{`), so the two kinds of key never meet.
 */
export function verdictKey(text: string): string {
  return text.length <= TEXT_KEY_MAX ? text : `\0sha256:${createHash('sha256').update(text).digest('base64')}`;
}

/**
 * Verdicts by the exact text they were computed from (see verdictKey), the most recent `capacity` kept. Checking is a
 * pure function of the text (and the engine, fixed for the server's life), so the same object checked again — a
 * GitOps tool re-applying, a retry — costs a lookup. Concurrent checks of one text share one computation.
 */
export class VerdictCache<Verdict> {
  private readonly entries = new Map<string, Promise<Verdict>>();

  constructor(private readonly capacity: number) {}

  get(text: string, compute: () => Promise<Verdict>): Promise<Verdict> {
    if (this.capacity <= 0) return compute();
    const key = verdictKey(text);
    const found = this.entries.get(key);
    if (found) {
      // Most recently used last, so the oldest is the first key.
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const computed = compute();
    this.entries.set(key, computed);
    // A failed check is not a verdict: the next request computes again.
    computed.catch(() => this.entries.delete(key));
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return computed;
  }
}

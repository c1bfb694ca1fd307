import { createHash } from 'node:crypto';

/**
 * Verdicts by the SHA-256 of the exact text they were computed from, the most recent `capacity` kept. Checking is a
 * pure function of the text (and the engine, fixed for the server's life), so the same object checked again — a
 * GitOps tool re-applying, a retry — costs a hash. Concurrent checks of one text share one computation.
 */
export class VerdictCache<Verdict> {
  private readonly entries = new Map<string, Promise<Verdict>>();

  constructor(private readonly capacity: number) {}

  get(text: string, compute: () => Promise<Verdict>): Promise<Verdict> {
    if (this.capacity <= 0) return compute();
    const key = createHash('sha256').update(text).digest('base64');
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

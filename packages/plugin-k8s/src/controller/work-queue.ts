// The controller's work queue (client-go's rate-limited queue, reduced to what the controller needs): a key is
// queued once however often it is added, never handled twice at once, and handled again when it was added while
// being handled; keys of a lower priority number go first (cluster policies before namespaced ones).

export interface QueueOptions {
  /** Keys handled at once. */
  workers: number;
  /** The priority of a key: lower first. */
  priority: (key: string) => number;
  /** Handles a key; `retry` puts it back after a doubling wait (from `retryInitial` to `retryMax` ms). */
  handle: (key: string) => Promise<'done' | 'retry'>;
  retryInitial?: number;
  retryMax?: number;
  /** addSettled: keys wait until no key was added for `quiet` ms, and at most `max` ms after the first. */
  settle?: { quiet: number; max: number };
  log?: (line: string) => void;
}

export class WorkQueue {
  private readonly queued: Set<string>[] = [];
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  /** Keys gather but none is handled until `resume()` (the caches are not listed yet). */
  private paused = true;
  private idleWaiters: (() => void)[] = [];
  /** Keys added with addSettled, the timer that hands them over, and when the wave began. */
  private readonly wave = { keys: new Set<string>(), timer: undefined as NodeJS.Timeout | undefined, began: 0, batches: new WeakSet<readonly string[]>() };

  constructor(private readonly options: QueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.again.add(key);
      return;
    }
    const priority = this.options.priority(key);
    (this.queued[priority] ??= new Set()).add(key);
    this.pump();
  }

  /** Adds the key after `ms` (a later call for the same key keeps the earlier time): debounced work. */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  /**
   * Adds the keys once the wave they came in has settled: no addSettled call for `settle.quiet` ms, or `settle.max` ms
   * after the wave's first, whichever comes first. A wave of node reports then costs one reconcile per key, not one
   * per debounce period while the reports arrive. One timer for the whole wave, reset per call. A frozen array
   * handed again in the same wave is not walked again (thousands of node reports name the same keys).
   */
  addSettled(keys: Iterable<string>): void {
    if (this.stopped) return;
    const { quiet, max } = this.options.settle ?? { quiet: 200, max: 1_000 };
    const now = Date.now();
    if (this.wave.keys.size === 0) {
      this.wave.began = now;
      this.wave.batches = new WeakSet();
    }
    if (Array.isArray(keys) && Object.isFrozen(keys)) {
      const batch: readonly string[] = keys;
      if (!this.wave.batches.has(batch)) {
        for (const key of batch) this.wave.keys.add(key);
        this.wave.batches.add(batch);
      }
    } else for (const key of keys) this.wave.keys.add(key);
    if (this.wave.keys.size === 0) return;
    clearTimeout(this.wave.timer);
    this.wave.timer = setTimeout(() => this.endWave(), Math.max(0, Math.min(quiet, this.wave.began + max - now)));
  }

  /**
   * Hands over at once the keys of the wave that nothing more can come for (every node has reported what concerns
   * them); the rest of the wave still waits for it to settle. Keys not in the wave are left alone.
   */
  settleNow(keys: Iterable<string>): void {
    if (this.stopped || this.wave.keys.size === 0) return;
    const ready: string[] = [];
    for (const key of keys) if (this.wave.keys.delete(key)) ready.push(key);
    if (ready.length === 0) return;
    this.wave.batches = new WeakSet();
    if (this.wave.keys.size === 0) {
      clearTimeout(this.wave.timer);
      this.wave.timer = undefined;
    }
    for (const key of ready) this.add(key);
    this.notifyIdle();
  }

  private endWave(): void {
    const keys = [...this.wave.keys];
    this.wave.keys.clear();
    this.wave.batches = new WeakSet();
    this.wave.timer = undefined;
    for (const key of keys) this.add(key);
    this.notifyIdle();
  }

  get length(): number {
    return this.queued.reduce((sum, set) => sum + (set?.size ?? 0), 0) + this.active.size;
  }

  /** Resolves once nothing is queued, running or waiting on a timer. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts handling keys: call once every cache the handler reads has listed (client-go's WaitForCacheSync). */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.wave.timer);
    this.wave.keys.clear();
    this.wave.batches = new WeakSet();
    this.queued.length = 0;
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.length === 0 && this.timers.size === 0 && this.wave.keys.size === 0;
  }

  private notifyIdle(): void {
    if (this.paused || (!this.isIdle() && !this.stopped)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private next(): string | undefined {
    for (const set of this.queued) {
      if (!set || set.size === 0) continue;
      const key = set.values().next().value!;
      set.delete(key);
      return key;
    }
    return undefined;
  }

  private pump(): void {
    while (!this.stopped && !this.paused && this.running < this.options.workers) {
      const key = this.next();
      if (key === undefined) break;
      this.running += 1;
      this.active.add(key);
      void this.run(key);
    }
    this.notifyIdle();
  }

  private async run(key: string): Promise<void> {
    let result: 'done' | 'retry';
    try {
      result = await this.options.handle(key);
    } catch (error) {
      this.options.log?.(`${key}: ${error instanceof Error ? error.message : String(error)}`);
      result = 'retry';
    }
    this.running -= 1;
    this.active.delete(key);
    if (result === 'retry') {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const wait = Math.min((this.options.retryInitial ?? 100) * 2 ** (failures - 1), this.options.retryMax ?? 30_000);
      this.again.delete(key);
      this.addAfter(key, wait);
    } else {
      this.failures.delete(key);
      if (this.again.delete(key)) this.add(key);
    }
    this.pump();
  }
}

// Idle connections closed by one timer for all of them. A socket's own timeout (socket.setTimeout) is refreshed on
// every read and every write, a timer-list operation each; here a chunk only marks its connection active, and a sweep a
// few times per idle period closes the connections that stayed quiet through it.

/** One watched connection: `touch` on traffic, `stop` once it is closed. */
export class IdleEntry {
  /** Traffic since the last sweep. */
  active = true;
  /** Sweeps in a row that found no traffic. */
  quiet = 0;

  constructor(
    private readonly sweep: IdleSweep,
    readonly onIdle: () => void,
  ) {}

  touch(): void {
    this.active = true;
  }

  stop(): void {
    this.sweep.forget(this);
  }
}

/** How many sweeps per idle period: a quiet connection goes between one and 1 + 1/SWEEPS idle periods after its last byte. */
const SWEEPS = 8;
const MIN_SWEEP_MS = 25;

export class IdleSweep {
  private readonly entries = new Set<IdleEntry>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;

  constructor(readonly idleMs: number) {
    this.intervalMs = Math.max(MIN_SWEEP_MS, Math.floor(idleMs / SWEEPS));
  }

  /** Watches a connection from now on: `onIdle` runs once it has had no traffic for idleMs. */
  watch(onIdle: () => void): IdleEntry {
    const entry = new IdleEntry(this, onIdle);
    this.entries.add(entry);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweepOnce(), this.intervalMs);
      this.timer.unref();
    }
    return entry;
  }

  forget(entry: IdleEntry): void {
    this.entries.delete(entry);
    if (this.entries.size === 0) this.stop();
  }

  /** Connections watched now. */
  get size(): number {
    return this.entries.size;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweepOnce(): void {
    // Quiet for `needed` whole intervals after one that may have had traffic at its start: at least idleMs.
    const needed = Math.ceil(this.idleMs / this.intervalMs) + 1;
    for (const entry of this.entries) {
      if (entry.active) {
        entry.active = false;
        entry.quiet = 0;
      } else if (++entry.quiet >= needed) {
        this.forget(entry);
        entry.onIdle();
      }
    }
  }
}

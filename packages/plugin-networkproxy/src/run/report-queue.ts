// Reports pushed by one side (the proxy's stderr) and read as an async iteration by the other (`armorkit run`).
import type { ConfinementReport } from '@armorkit/core';

export class ReportQueue implements AsyncIterable<ConfinementReport> {
  private readonly items: ConfinementReport[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;

  push(report: ConfinementReport): void {
    this.items.push(report);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConfinementReport> {
    for (;;) {
      const item = this.items.shift();
      if (item) yield item;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}

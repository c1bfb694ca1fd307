import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * kauditd prints audit records through printk's rate limit (`kernel.printk_ratelimit`, 10 per 5 s by default) when
 * no auditd reads them, and complain-mode records come in bursts: while a run is modelled the agent turns the limit
 * off, as vArmor does, and puts the node's own value back after it. A node where it cannot be written (no procfs,
 * read-only) keeps its limit, said once in the log.
 */
export class PrintkRateLimit {
  private saved: string | undefined;
  private readonly path: string;

  constructor(
    proc: string,
    private readonly log: (line: string) => void,
  ) {
    this.path = join(proc, 'sys/kernel/printk_ratelimit');
  }

  /** Off (0) while `off`, the saved value back otherwise; only a change writes. */
  hold(off: boolean): void {
    if (off === (this.saved !== undefined)) return;
    try {
      if (off) {
        const before = readFileSync(this.path, 'utf8').trim();
        writeFileSync(this.path, '0');
        this.saved = before;
      } else {
        writeFileSync(this.path, this.saved ?? '');
        this.saved = undefined;
      }
    } catch (error) {
      this.saved = undefined;
      this.log(`${this.path}: ${error instanceof Error ? error.message : String(error)}; printk's rate limit stays, so the kernel may drop modelling records under a burst`);
    }
  }
}

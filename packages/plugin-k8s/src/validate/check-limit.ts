/**
 * Runs at most `limit` tasks at once, the others in arrival order as places free up. Checking a policy may start
 * apparmor_parser; a burst of reviews must not start one per review at once.
 */
export class CheckLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Remembers a qemu process so that it dies with its parent (Ctrl-C, a failed test run); returns the way to forget it. */
export function trackGuest(child: ChildProcess): () => void {
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const guest of running) guest.kill('SIGKILL');
    });
  }
  return () => running.delete(child);
}

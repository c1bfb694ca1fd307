// A running proxy's life as a process: SIGHUP reloads, SIGTERM / SIGINT stop it, and a fault nobody caught stops it
// too, with an error event: after an exception the process's state is unknown, and a proxy that keeps running on it
// could let through what it should refuse. Whoever runs it (a pod's restart policy, `armorkit run`) sees it exit.
import type { RunningProxy } from './run-proxy.js';

/** The exit status after an uncaught fault (EX_SOFTWARE). */
export const INTERNAL_ERROR_EXIT = 70;

/** The error event of an uncaught fault: one JSON line, as the audit lines are (level, time, message). */
export function internalErrorLine(fault: unknown, time: Date = new Date()): string {
  const error = fault instanceof Error ? { error: fault.message, ...(fault.stack ? { stack: fault.stack } : {}) } : { error: String(fault) };
  return JSON.stringify({ level: 'error', ...error, time: time.toISOString(), message: 'armorkit proxy internal error; exiting' });
}

/**
 * Serves until a stop signal (resolves 0) or an uncaught exception or rejection (resolves INTERNAL_ERROR_EXIT, after
 * logging the error event and closing the sockets). `log` receives whole lines for people and log collectors.
 */
export async function serveUntilStopped(proxy: RunningProxy, log: (line: string) => void): Promise<number> {
  const onHangUp = (): void => {
    void proxy.reload().then((result) => log(result.ok ? 'armorkit proxy: configuration reloaded' : `armorkit proxy: reload refused: ${result.problems.join('; ')}`));
  };
  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  const onStop = (): void => finish(0);
  const onFault = (fault: unknown): void => {
    log(internalErrorLine(fault));
    finish(INTERNAL_ERROR_EXIT);
  };
  process.on('SIGHUP', onHangUp);
  process.once('SIGTERM', onStop);
  process.once('SIGINT', onStop);
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);
  const code = await stopped;
  process.off('SIGHUP', onHangUp);
  process.off('SIGTERM', onStop);
  process.off('SIGINT', onStop);
  // Closing may itself fail after a fault: that is logged too, and the exit status stays the fault's.
  const closing = proxy.close();
  await Promise.race([closing.catch(onFault), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  process.off('uncaughtException', onFault);
  process.off('unhandledRejection', onFault);
  return code;
}

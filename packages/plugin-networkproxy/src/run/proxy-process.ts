// The run's proxy as a child process: started in the run's namespace as the proxy's UID (`ip netns exec` +
// `setpriv`), in a process group of its own (a Ctrl-C at the terminal reaches the command, not the proxy, which the
// run stops after the command); its stderr lines become the step's reports, its events also go to the events sink.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ViolationSink } from '@armorkit/core/audit';
import type { ProxyConfig } from '../config/proxy-config.js';
import { formatProxyConfig } from '../config/proxy-config.js';
import { proxyEventOfLine } from '../proxy/event-source.js';
import { ReportQueue } from './report-queue.js';

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;

/** The compiled helper (dist/run/proxy-main.js), also when this module runs from src/. */
export function proxyHelperScript(): string | undefined {
  const here = fileURLToPath(new URL('./proxy-main.js', import.meta.url));
  const built = here.replace(/\/src\/run\/proxy-main\.js$/, '/dist/run/proxy-main.js');
  return [here, built].find((path) => existsSync(path));
}

export interface RunProxyProcess {
  /** The listening line the proxy printed (`listening on 127.0.0.1:15001, [::1]:15001`). */
  listening: string;
  reports: ReportQueue;
  /** SIGTERM, then SIGKILL after a grace period; resolves once its output is read and the sink flushed. */
  stop(): Promise<void>;
}

export function startProxyProcess(options: { namespace: string; helper: string; config: ProxyConfig; sink?: ViolationSink }): Promise<RunProxyProcess> {
  const { config } = options;
  const uid = String(config.proxyUID);
  const child = spawn('ip', ['netns', 'exec', options.namespace, 'setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', process.execPath, options.helper], {
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true,
  });
  const reports = new ReportQueue();
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdin.on('error', () => undefined);
  child.stdin.end(formatProxyConfig({ ...config, audit: { ...config.audit, events: { to: 'stderr' } } }));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await closed;
      clearTimeout(timer);
    } else {
      await closed;
    }
    await options.sink?.close();
    reports.end();
  };
  return new Promise((resolve, reject) => {
    let ready = false;
    let early = '';
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`the proxy did not start within ${READY_TIMEOUT_MS / 1000} s: ${early.trim()}`)));
    }, READY_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the proxy could not start: ${error.message}`));
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!ready) {
        const listening = /^armorkit proxy: (listening on .*)$/.exec(line);
        if (!listening) {
          early += `${line}\n`;
          return;
        }
        ready = true;
        clearTimeout(timer);
        resolve({ listening: listening[1]!, reports, stop });
        return;
      }
      const event = proxyEventOfLine(line);
      if (event) {
        options.sink?.write(event);
        reports.push({ kind: 'event', event });
      } else {
        reports.push({ kind: 'notice', text: line.replace(/^armorkit proxy: /, '') });
      }
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      // The remaining lines are read before 'close'.
      void closed.then(() => reject(new Error(`the proxy exited (${signal ?? code}) before listening: ${early.trim() || 'no output'}`)));
    });
  });
}

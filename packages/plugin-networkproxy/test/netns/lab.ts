// A pair of network namespaces joined by a veth: "client" (the workload, with the capture rules and the proxy) and
// "server" (the outside, with real upstream servers on two addresses per family). Unique names per lab; removed on
// close, and at process exit if a test died before closing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

export const CLIENT_UID = 65534;

export interface LabAddresses {
  client4: string;
  client6: string;
  /** The server's main addresses: what allowed names resolve to. */
  server4: string;
  server6: string;
  /** Another address of the same server: where spoofing attempts go. */
  other4: string;
  other6: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const labs = new Set<NetnsLab>();
process.once('exit', () => {
  for (const lab of labs) lab.removeSync();
});

export class NetnsLab {
  readonly id = randomBytes(3).toString('hex');
  readonly clientNs = `akc-${this.id}`;
  readonly serverNs = `aks-${this.id}`;
  readonly addresses: LabAddresses = {
    client4: '10.77.0.1',
    client6: 'fd77::1',
    server4: '10.77.0.2',
    server6: 'fd77::2',
    other4: '10.77.0.3',
    other6: 'fd77::3',
  };
  private readonly children = new Set<ChildProcess>();

  /** Creates both namespaces; `hosts` becomes /etc/hosts inside the client namespace (`ip netns exec` mounts it). */
  static create(hosts: Record<string, string[]> = {}): NetnsLab {
    const lab = new NetnsLab();
    labs.add(lab);
    try {
      lab.setUp(hosts);
    } catch (error) {
      lab.removeSync();
      throw error;
    }
    return lab;
  }

  private setUp(hosts: Record<string, string[]>): void {
    const a = this.addresses;
    const veth = [`akv${this.id}a`, `akv${this.id}b`] as const;
    ip('netns', 'add', this.clientNs);
    ip('netns', 'add', this.serverNs);
    ip('link', 'add', veth[0], 'type', 'veth', 'peer', 'name', veth[1]);
    ip('link', 'set', veth[0], 'netns', this.clientNs);
    ip('link', 'set', veth[1], 'netns', this.serverNs);
    for (const [ns, device, addresses] of [
      [this.clientNs, veth[0], [`${a.client4}/24`, `${a.client6}/64`]],
      [this.serverNs, veth[1], [`${a.server4}/24`, `${a.other4}/24`, `${a.server6}/64`, `${a.other6}/64`]],
    ] as const) {
      for (const address of addresses) ip('-n', ns, 'addr', 'add', address, 'dev', device, ...(address.includes(':') ? ['nodad'] : []));
      ip('-n', ns, 'link', 'set', device, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    const lines = Object.entries(hosts).flatMap(([name, addresses]) => addresses.map((address) => `${address} ${name}`));
    mkdirSync(`/etc/netns/${this.clientNs}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.clientNs}/hosts`, `127.0.0.1 localhost\n::1 localhost\n${lines.join('\n')}\n`);
  }

  /** Starts a long-running process in a namespace (as `uid` when given); stopped at close. */
  spawn(ns: string, argv: string[], options: { uid?: number; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...asUser(options.uid), ...argv], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Runs a command to its end in a namespace; never rejects (the code says how it went). */
  run(ns: string, argv: string[], options: { uid?: number; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = this.spawn(ns, argv, options.uid === undefined ? {} : { uid: options.uid });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin?.end(options.input ?? '');
    });
  }

  async close(): Promise<void> {
    const exits = [...this.children].map((child) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()))));
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(exits);
    this.removeSync();
  }

  /** Deletes both namespaces (the veth goes with them) and the hosts file; safe to call twice. */
  removeSync(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of [this.clientNs, this.serverNs]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
      } catch {
        // Already gone.
      }
    }
    rmSync(`/etc/netns/${this.clientNs}`, { recursive: true, force: true });
    labs.delete(this);
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

function asUser(uid: number | undefined): string[] {
  return uid === undefined ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'];
}

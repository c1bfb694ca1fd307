import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../fixtures/probe.c', import.meta.url));

/** The probe binary (fixtures/probe.c), compiled once per VM. */
export function probeBinary(): string {
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const path = `/tmp/armorkit-bpf-probe-${hash}`;
  if (existsSync(path)) return path;
  const built = spawnSync('cc', ['-O1', '-o', `${path}.tmp`, source], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`cannot build the probe: ${built.stderr}`);
  renameSync(`${path}.tmp`, path);
  return path;
}

/**
 * A task that performs operations on request (probe loop): in a mount namespace of its own (a "container")
 * or in the host's. The answer is `ok` or `errno N`.
 */
export class Task {
  private readonly answers: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private readonly lines: Interface;
  readonly exited: Promise<number | null>;
  /** Its mount namespace id and process id. */
  namespace = 0;
  pid = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.deliver(line));
    this.exited = new Promise((resolve) => child.on('close', resolve));
  }

  private deliver(line: string): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(line);
    } else {
      this.answers.push(line);
    }
  }

  private next(): Promise<string> {
    const queued = this.answers.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the probe did not answer')), 30_000);
      this.waiting = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  /**
   * Starts a probe: `container` puts it in a new mount namespace (unshare -m); `through`, a command that execs the
   * rest of its arguments, runs it under that (`nsenter -t PID -m --`, `aa-exec -p PROFILE --`).
   */
  static async start(options: { container: boolean; cwd?: string; through?: readonly string[] }): Promise<Task> {
    const probe = probeBinary();
    const argv = [...(options.through ?? []), ...(options.container ? ['unshare', '-m', '--propagation', 'private', probe, 'loop'] : [probe, 'loop'])];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    const task = new Task(child);
    child.stdin.write('ns\npid\n');
    task.namespace = Number((await task.next()).split(' ')[1]);
    task.pid = Number((await task.next()).split(' ')[1]);
    return task;
  }

  /** One operation: `open /etc/passwd r`, `socket 2 1 0`, `connect 127.0.0.1 80`, ... */
  async run(operation: string): Promise<string> {
    this.child.stdin.write(`${operation}\n`);
    return this.next();
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

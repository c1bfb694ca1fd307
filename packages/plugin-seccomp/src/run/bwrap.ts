import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface RunConfinedOptions {
  /** A serialized filter (`serializeFilter`). */
  filter: Buffer;
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Path or name of bwrap; `bwrap` from PATH by default. */
  bwrap?: string;
  /** Bytes written to the program's stdin. */
  stdin?: string | Buffer;
}

export interface ConfinedRun {
  /** The program's exit code, or null when a signal ended it (see `signal`). */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunConfinedError {
  code: 'seccomp/bwrap-missing' | 'seccomp/bwrap-failed' | 'seccomp/empty-argv';
  message: string;
}

/** The fd bwrap reads the filter from: the first one after stdin, stdout and stderr. */
const FILTER_FD = 3;

/**
 * Runs `argv` under bubblewrap with `filter` installed (`bwrap --dev-bind / / --seccomp 3 -- argv`): the whole host
 * filesystem stays visible, only the seccomp filter changes. The filter travels on an extra pipe, never a file.
 */
export function runConfined(options: RunConfinedOptions): Promise<ConfinedRun | RunConfinedError> {
  if (options.argv.length === 0) return Promise.resolve({ code: 'seccomp/empty-argv', message: 'argv must name a program' });
  const bwrap = options.bwrap ?? 'bwrap';
  return new Promise((resolve) => {
    const child = spawn(bwrap, ['--dev-bind', '/', '/', '--seccomp', String(FILTER_FD), '--', ...options.argv], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      resolve(
        error.code === 'ENOENT'
          ? { code: 'seccomp/bwrap-missing', message: `${bwrap} not found: install bubblewrap (Debian: apt-get install bubblewrap)` }
          : { code: 'seccomp/bwrap-failed', message: `${bwrap} could not start: ${error.message}` },
      );
    });
    child.on('close', (exitCode, signal) => {
      if (settled) return;
      settled = true;
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    const filterPipe = child.stdio[FILTER_FD] as Writable | null;
    // bwrap may exit before reading everything (bad arguments); that is reported through its exit code, not EPIPE.
    filterPipe?.on('error', () => undefined);
    filterPipe?.end(options.filter);
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(options.stdin ?? '');
  });
}

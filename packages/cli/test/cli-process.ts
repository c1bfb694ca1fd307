import { type ChildProcessWithoutNullStreams, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const CLI = new URL('../src/bin.ts', import.meta.url).pathname;
// tsx's loader by absolute URL, so the CLI can run from any working directory.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const BUILT_CLI = new URL('../dist/bin.js', import.meta.url).pathname;

/**
 * Runs the real `armorkit` entry point as a child process: from source, or (`built`) the build `make` produced, which
 * kernel tests use because transpiling on every start is slow under emulation.
 */
export function armorkit(
  args: readonly string[],
  /** `through`: a command that execs the rest of its arguments (`unshare -rm sh -c '...; exec "$@"'`). */
  options: { cwd: string; input?: string; built?: boolean; timeout?: number; through?: readonly string[] },
): SpawnSyncReturns<string> {
  const entry = options.built ? [BUILT_CLI] : ['--conditions=source', '--import', TSX, CLI];
  const [command = process.execPath, ...prefix] = options.through ?? [];
  return spawnSync(command, [...prefix, ...(options.through ? [process.execPath] : []), ...entry, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout, killSignal: 'SIGKILL' as const } : {}),
  });
}

/** The real `armorkit` entry point (from source, or `built`: the bundle) as a running child process, for commands that serve until signalled. */
export function armorkitProcess(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; built?: boolean }): ChildProcessWithoutNullStreams {
  const entry = options.built ? [BUILT_CLI] : ['--conditions=source', '--import', TSX, CLI];
  return spawn(process.execPath, [...entry, ...args], { cwd: options.cwd, ...(options.env ? { env: options.env } : {}) });
}

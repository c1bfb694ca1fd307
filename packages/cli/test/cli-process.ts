import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const CLI = new URL('../src/bin.ts', import.meta.url).pathname;
// tsx's loader by absolute URL, so the CLI can run from any working directory.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the real `armorkit` entry point (from source) as a child process. */
export function armorkit(args: readonly string[], options: { cwd: string; input?: string }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--conditions=source', '--import', TSX, CLI, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}

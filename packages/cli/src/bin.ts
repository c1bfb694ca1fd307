#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { cachedCommands } from './bundled-packages.js';
import { mayLoadConfig } from './config-file.js';
import type { main as Main } from './main.js';

// `armorkit audit | head`: a closed pipe ends the run quietly, as with any Unix filter.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// When nothing is left to run, end at once: Node's own teardown after that (freeing the heap, joining its threads)
// was a fifth of `validate`'s time on a loaded machine (docs/cli.md#start-up). 'exit' listeners still run.
process.once('beforeExit', (code) => process.exit(code));

/**
 * `validate` and `audit` run the bundle's classic-script copy of the CLI for that command, whose compiled code V8
 * reads from a cache (code-cache.ts); every other command, and those with a config file (whose imports of
 * @armorkit packages must get the modules' copies, bundled-packages-hooks.ts), runs the modules. The code is the same.
 */
async function cliMain(argv: readonly string[]): Promise<typeof Main> {
  const command = argv[0];
  const cached = cachedCommands !== undefined && command !== undefined && Object.hasOwn(cachedCommands, command) ? cachedCommands[command] : undefined;
  if (cached !== undefined && !mayLoadConfig(argv, process.cwd())) {
    const { runCachedScript } = await import('./code-cache.js');
    return runCachedScript<{ main: typeof Main }>(fileURLToPath(new URL(cached, import.meta.url))).exports.main;
  }
  return (await import('./main.js')).main;
}

const argv = process.argv.slice(2);
process.exitCode = await (await cliMain(argv))(argv);

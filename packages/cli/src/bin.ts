#!/usr/bin/env node
import { main } from './main.js';

// `armorkit audit | head`: a closed pipe ends the run quietly, as with any Unix filter.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// When nothing is left to run, end at once: Node's own teardown after that (freeing the heap, joining its threads)
// was a fifth of `validate`'s time on a loaded machine (docs/cli.md#start-up). 'exit' listeners still run.
process.once('beforeExit', (code) => process.exit(code));

process.exitCode = await main(process.argv.slice(2));

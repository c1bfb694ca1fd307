#!/usr/bin/env node
import { main } from './main.js';

// `armorkit audit | head`: a closed pipe ends the run quietly, as with any Unix filter.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLabError } from './lab-error.js';
import { runInLab } from './run-in-lab.js';

/**
 * `pnpm run test-kernel`: boots ONE lab VM that runs `vitest run --config vitest.kernel.config.ts` at the repo root,
 * streams its output, and exits with its exit code. Arguments are passed on to vitest (a file filter, `-t name`).
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const kernelTestTimeoutMs = 30 * 60 * 1000;
// `pnpm run test-kernel -- FILE` hands on the `--`; vitest would take what follows it for something else than a filter.
const vitestArgs = process.argv[2] === '--' ? process.argv.slice(3) : process.argv.slice(2);

const outcome = await runInLab({
  command: [join(repoRoot, 'node_modules/.bin/vitest'), 'run', '--config', 'vitest.kernel.config.ts', ...vitestArgs],
  cwd: repoRoot,
  env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) },
  timeoutMs: kernelTestTimeoutMs,
  onStdout: (text) => process.stdout.write(text),
  onStderr: (text) => process.stderr.write(text),
});

if (!outcome.ok) {
  process.stderr.write(`${formatLabError(outcome.error)}\n`);
  process.exit(2);
}
const run = outcome.value;
const kernelLogPath = join(run.outputDir, 'kernel.log');
writeFileSync(kernelLogPath, `${run.kernelLog}\n`);
if (run.timedOut) {
  process.stderr.write(`kernel-lab: the kernel tests did not finish within ${kernelTestTimeoutMs / 60000} minutes; the VM was stopped\n`);
  process.stderr.write(`kernel-lab: the guest's kernel log is in ${kernelLogPath}\n`);
  process.exit(124);
}
const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(1);
process.stderr.write(
  `kernel-lab: ${run.kernelVersion} booted in ${run.bootMs === null ? '?' : seconds(run.bootMs)} s, ran in ${seconds(run.durationMs)} s; kernel log: ${kernelLogPath}\n`,
);
process.exit(run.exitCode ?? 1);

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
// 30 minutes, or ARMORKIT_KERNEL_TIMEOUT_MINUTES (a long run such as the whole KubeArmor replay).
const kernelTestTimeoutMs = timeoutMinutes(process.env.ARMORKIT_KERNEL_TIMEOUT_MINUTES) * 60 * 1000;

function timeoutMinutes(setting: string | undefined): number {
  if (setting === undefined || setting === '') return 30;
  const minutes = Number(setting);
  if (Number.isFinite(minutes) && minutes > 0) return minutes;
  process.stderr.write(`kernel-lab: ARMORKIT_KERNEL_TIMEOUT_MINUTES=${JSON.stringify(setting)}: not a positive number of minutes\n`);
  process.exit(2);
}
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

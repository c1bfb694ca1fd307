import { formatLabError, isInKernelLab, labDoctor, formatDoctorReport, runInLab } from '@armorkit/kernel-lab';
import type { Engine } from '@armorkit/core';
import { fileURLToPath } from 'node:url';
import { EXIT, type CliIO } from '../io.js';
import { formatDemoReport, runDemoScenarios } from '../demo/run-scenarios.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * `armorkit demo`: boots kernel-lab and, inside it, enforces the example policies on real processes with
 * `armorkit run`, trying allowed and forbidden actions; prints what was allowed, denied and audited.
 */
export async function demoCommand(engine: Engine, io: CliIO): Promise<number> {
  if (isInKernelLab()) {
    const report = await runDemoScenarios(engine, REPO);
    io.out(formatDemoReport(report));
    return report.outcomes.every((o) => o.result === o.scenario.expected) ? EXIT.ok : EXIT.invalid;
  }
  const doctor = labDoctor();
  if (!doctor.ready) {
    io.err(formatDoctorReport(doctor));
    return EXIT.usage;
  }
  io.err('armorkit demo: booting kernel-lab (Debian kernel with AppArmor and BPF-LSM, under qemu)...');
  const outcome = await runInLab({
    command: [process.execPath, fileURLToPath(new URL('../bin.js', import.meta.url)), 'demo'],
    cwd: REPO,
    onStdout: (text) => process.stdout.write(text),
    onStderr: (text) => process.stderr.write(text),
  });
  if (!outcome.ok) {
    io.err(formatLabError(outcome.error));
    return EXIT.usage;
  }
  return outcome.value.exitCode ?? EXIT.invalid;
}

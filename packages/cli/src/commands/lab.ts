import { formatDoctorReport, formatLabError, labDoctor, runInLab } from '@armorkit/kernel-lab';
import { EXIT, UsageError, type CliIO } from '../io.js';

/** `armorkit lab doctor`: what kernel-lab needs and whether it is here. Exit 0 when a VM can boot. */
export function labDoctorCommand(io: CliIO): number {
  const report = labDoctor();
  io.out(formatDoctorReport(report));
  return report.ready ? EXIT.ok : EXIT.usage;
}

/**
 * `armorkit lab run [--timeout S] -- CMD...`: runs a command as root in a fresh VM with AppArmor and BPF-LSM, streams
 * its output, prints the guest's audit lines on request, and exits with the command's code (124 on timeout).
 */
export async function labRunCommand(
  argv: readonly string[],
  options: { timeout?: string; memory?: string; kernelLog?: boolean },
  io: CliIO,
): Promise<number> {
  if (argv.length === 0) throw new UsageError('lab run: give the command after --, e.g. armorkit lab run -- cat /sys/kernel/security/lsm');
  const timeoutSeconds = options.timeout === undefined ? 600 : Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout: expected seconds > 0, got "${options.timeout}"`);
  const memoryMiB = options.memory === undefined ? undefined : Number(options.memory);
  if (memoryMiB !== undefined && (!Number.isInteger(memoryMiB) || memoryMiB < 256)) {
    throw new UsageError(`--memory: expected MiB ≥ 256, got "${options.memory}"`);
  }
  const outcome = await runInLab({
    command: [...argv],
    cwd: io.cwd,
    timeoutMs: timeoutSeconds * 1000,
    ...(memoryMiB !== undefined ? { memoryMiB } : {}),
    onStdout: (text) => process.stdout.write(text),
    onStderr: (text) => process.stderr.write(text),
  });
  if (!outcome.ok) {
    io.err(formatLabError(outcome.error));
    return EXIT.usage;
  }
  const run = outcome.value;
  if (options.kernelLog) {
    const audit = run.kernelLog.split('\n').filter((line) => /audit|apparmor=|type=1326|type=1400/.test(line));
    for (const line of audit) io.err(`kmsg: ${line}`);
  }
  if (run.timedOut) {
    io.err(`kernel-lab: the command did not finish within ${timeoutSeconds} s; the VM was stopped`);
    return 124;
  }
  return run.exitCode ?? 1;
}

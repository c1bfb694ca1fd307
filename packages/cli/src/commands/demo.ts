import { formatLabError, isInKernelLab, labDoctor, formatDoctorReport, runInLab } from '@armorkit/kernel-lab';
import type { Engine } from '@armorkit/core';
import { fileURLToPath } from 'node:url';
import { EXIT, type CliIO } from '../io.js';
import { demoSucceeded, formatAttempt, formatDemoReport } from '../demo/format.js';
import { runDemoScenarios } from '../demo/run-scenarios.js';
import { mutateDemoLines } from '../demo/mutate-step.js';
import { networkProxyDemo } from '../demo/networkproxy-step.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

/** The demo takes minutes under TCG, more when other work shares the host's cores: the lab's default 10 minutes is too short. */
const demoTimeoutMs = 30 * 60 * 1000;

/** Inside the VM: each attempt printed as it finishes, the summary at the end. */
async function demoInLab(engine: Engine, io: CliIO): Promise<number> {
  let succeeded = false;
  for await (const step of runDemoScenarios(engine, REPO)) {
    // On stdout with the attempts: the host receives stdout and stderr on separate ports, so one stream keeps the order.
    if (step.kind === 'waiting') io.out(`armorkit demo: waiting for ${step.what}...`);
    else if (step.kind === 'attempt') io.out(formatAttempt(step.attempt));
    else {
      io.out(`\n${formatDemoReport(step.report)}`);
      succeeded = demoSucceeded(step.report);
    }
  }
  return succeeded ? EXIT.ok : EXIT.invalid;
}

/**
 * The BPF programs, compiled with clang on the host before boot (seconds here, a minute under TCG); the guest finds
 * them in the plugin's cache, keyed by the hash of their sources and compiler, through the shared root.
 */
async function buildBpfObjectOnHost(io: CliIO): Promise<void> {
  io.err('armorkit demo: waiting for clang to build the BPF programs on the host (cached by content hash)...');
  const started = Date.now();
  const { ensureBpfObject } = await import('@armorkit/plugin-bpf/programs');
  const object = ensureBpfObject();
  if (object.ok) io.err(`armorkit demo: BPF programs ready in ${seconds(Date.now() - started)}: ${object.value.path}`);
  else io.err(`armorkit demo: the BPF programs could not be built on the host (the guest will try): ${object.error.message}`);
}

/**
 * `armorkit demo`: boots kernel-lab and, inside it, enforces the example policies on real processes with
 * `armorkit run`, trying allowed and forbidden actions; prints what was allowed, denied and audited as it happens.
 */
export async function demoCommand(engine: Engine, io: CliIO): Promise<number> {
  if (isInKernelLab()) return demoInLab(engine, io);
  io.out(`${mutateDemoLines(engine, REPO).join('\n')}\n`);
  const proxyBehaved = engine.enforcers.includes('NetworkProxy') ? await networkProxyDemo(engine, REPO, io) : true;
  io.out('');
  const doctor = labDoctor();
  if (!doctor.ready) {
    io.err(formatDoctorReport(doctor));
    return EXIT.usage;
  }
  if (engine.enforcers.includes('BPF')) await buildBpfObjectOnHost(io);
  io.err('armorkit demo: waiting for kernel-lab to boot (Debian kernel with AppArmor and BPF-LSM, under qemu TCG)...');
  const outcome = await runInLab({
    command: [process.execPath, fileURLToPath(new URL('../bin.js', import.meta.url)), 'demo'],
    cwd: REPO,
    timeoutMs: demoTimeoutMs,
    onStdout: (text) => process.stdout.write(text),
    onStderr: (text) => process.stderr.write(text),
    onCommandStart: (bootMs) => io.err(`armorkit demo: booted in ${seconds(bootMs)}; waiting for Node to start armorkit and load the engine in the guest...`),
  });
  if (!outcome.ok) {
    io.err(formatLabError(outcome.error));
    return EXIT.usage;
  }
  const { bootMs, durationMs, timedOut } = outcome.value;
  const inGuest = bootMs === null ? '' : `, of which the demo ${seconds(durationMs - bootMs)}`;
  io.err(`armorkit demo: ${seconds(durationMs)} in the VM (boot ${bootMs === null ? '-' : seconds(bootMs)}${inGuest})${timedOut ? '; timed out' : ''}`);
  const labCode = outcome.value.exitCode ?? EXIT.invalid;
  return labCode === EXIT.ok && !proxyBehaved ? EXIT.invalid : labCode;
}

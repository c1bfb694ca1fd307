import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { aptInstallCommand, debianPackages } from './debian-packages.js';
import { GuestChannel } from './guest-channel.js';
import { guestPorts, jobFiles, labEnvironment, type GuestPort } from './guest-protocol.js';
import { parseGuestStatus } from './guest-status.js';
import { prepareInitramfs } from './initramfs.js';
import { jobScript } from './job-script.js';
import { resolveLabKernel } from './kernel-image.js';
import { kernelLogMessages } from './kernel-log.js';
import { fail, labError, succeed, type LabOutcome } from './lab-error.js';
import { qemuArguments, shareTag, type Accelerator, type LabShare } from './qemu-command.js';
import { trackGuest } from './running-guests.js';

/** What to run: an argv, or a Node script run by the same node binary as the caller. */
export type LabTask = { command: readonly string[] } | { nodeScript: string; args?: readonly string[] };

export interface LabSettings {
  /** Default: the newest /boot/vmlinuz-* whose config enables AppArmor and BPF-LSM. */
  kernelImage?: string;
  /** Default 2048. */
  memoryMiB?: number;
  /** Default 2. */
  cpus?: number;
  /** The guest is killed after this long and the run reported as timed out. Default 10 minutes. */
  timeoutMs?: number;
  /** Environment of the command. Default: the caller's. `ARMORKIT_KERNEL_LAB=1` and the output dir are always added. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: the caller's cwd. The guest shows the host's files at the same paths. */
  cwd?: string;
  /** Extra read-write shares (the rest of the host is read-only underneath a throwaway writable layer). */
  shares?: readonly { hostPath: string; guestPath?: string }[];
  /** Read-write directory shared at the same path in the guest; created when missing. Default: a fresh temporary one. */
  outputDir?: string;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** Raw /dev/kmsg records (`<priority>,<sequence>,<microseconds>,<flags>;<message>`) as they arrive. */
  onKernelLog?: (text: string) => void;
  /** Called once, when the command starts in the guest (boot is over), with the time since qemu started. */
  onCommandStart?: (bootMs: number) => void;
  /** Default 'tcg': this machine's /dev/kvm cannot run guests. */
  accelerator?: Accelerator;
  cacheDir?: string;
  busyboxPath?: string;
  qemuBinary?: string;
  /** Appended to the lab's kernel command line. */
  kernelArguments?: readonly string[];
}

export type LabRunOptions = LabTask & LabSettings;

export interface LabRun {
  /** The command's exit code; null when it timed out. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Messages read from the guest's /dev/kmsg, one per line: boot, AppArmor and seccomp audit lines. */
  kernelLog: string;
  outputDir: string;
  timedOut: boolean;
  /** From starting qemu to the end of the run. */
  durationMs: number;
  /** From starting qemu to the command starting in the guest; null if it never started. */
  bootMs: number | null;
  /** The guest's serial console (kernel panics, init messages). */
  console: string;
  kernelVersion: string;
}

const defaultTimeoutMs = 10 * 60 * 1000;
const consoleLimit = 64 * 1024;

function commandOf(task: LabTask): readonly string[] {
  return 'command' in task ? task.command : [process.execPath, resolve(task.nodeScript), ...(task.args ?? [])];
}

function definedEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Boots a fresh VM with the lab kernel, runs one command in it as root with the caller's paths, cwd and env,
 * and reports its exit code, output and kernel log. Each run has its own work directory, so runs can overlap.
 */
export async function runInLab(options: LabRunOptions): Promise<LabOutcome<LabRun>> {
  const argv = commandOf(options);
  if (argv.length === 0) return fail(labError('qemu-failed', 'the command is empty'));
  const kernel = resolveLabKernel(options.kernelImage);
  if (!kernel.ok) return kernel;
  const initramfs = prepareInitramfs({
    kernel: kernel.value,
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.busyboxPath === undefined ? {} : { busyboxPath: options.busyboxPath }),
  });
  if (!initramfs.ok) return initramfs;

  const workDir = mkdtempSync(join(tmpdir(), 'armorkit-lab-'));
  if (/\s/.test(workDir)) {
    rmSync(workDir, { recursive: true, force: true });
    return fail(labError('qemu-failed', 'the temporary directory path contains whitespace; the kernel command line cannot carry it', { path: workDir }));
  }
  const jobDir = join(workDir, 'job');
  mkdirSync(jobDir);
  const outputDir = resolve(options.outputDir ?? join(workDir, 'output'));
  mkdirSync(outputDir, { recursive: true });
  const shares: LabShare[] = [
    { hostPath: outputDir, guestPath: outputDir },
    ...(options.shares ?? []).map((share) => ({ hostPath: resolve(share.hostPath), guestPath: share.guestPath ?? resolve(share.hostPath) })),
  ];
  const environment = {
    ...definedEnvironment(options.env ?? process.env),
    [labEnvironment.marker]: '1',
    [labEnvironment.outputDir]: outputDir,
  };
  writeFileSync(join(jobDir, jobFiles.script), jobScript({ argv, cwd: resolve(options.cwd ?? process.cwd()), environment }));
  writeFileSync(join(jobDir, jobFiles.shares), shares.map((share, index) => `${shareTag(index)} ${share.guestPath}\n`).join(''));

  const listeners: Record<GuestPort, ((text: string) => void) | undefined> = {
    stdout: options.onStdout,
    stderr: options.onStderr,
    kernelLog: options.onKernelLog,
    status: undefined,
  };
  const ports = Object.keys(guestPorts) as GuestPort[];
  const channels = {} as Record<GuestPort, GuestChannel>;
  let statusSeenAt: number | null = null;
  const started = Date.now();
  for (const port of ports) {
    channels[port] = await GuestChannel.open(
      join(workDir, `${port}.sock`),
      port === 'status'
        ? (text) => {
            if (statusSeenAt === null && text.startsWith('start')) {
              statusSeenAt = Date.now();
              options.onCommandStart?.(statusSeenAt - started);
            }
          }
        : listeners[port],
    );
  }

  const args = qemuArguments({
    kernelImage: kernel.value.imagePath,
    initramfs: initramfs.value.path,
    memoryMiB: options.memoryMiB ?? 2048,
    cpus: options.cpus ?? 2,
    accelerator: options.accelerator ?? 'tcg',
    jobDir,
    portSockets: Object.fromEntries(ports.map((port) => [port, channels[port].socketPath])) as Record<GuestPort, string>,
    shares,
    ...(options.kernelArguments === undefined ? {} : { extraKernelArguments: options.kernelArguments }),
  });
  const qemuBinary = options.qemuBinary ?? 'qemu-system-x86_64';
  const qemu = spawn(qemuBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const untrack = trackGuest(qemu);
  let consoleText = '';
  let qemuErrors = '';
  qemu.stdout.setEncoding('utf8').on('data', (text: string) => {
    consoleText = (consoleText + text).slice(-consoleLimit);
  });
  qemu.stderr.setEncoding('utf8').on('data', (text: string) => {
    qemuErrors = (qemuErrors + text).slice(-consoleLimit);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    qemu.kill('SIGKILL');
  }, options.timeoutMs ?? defaultTimeoutMs);

  const exit = await new Promise<{ code: number | null; spawnError?: NodeJS.ErrnoException }>((settle) => {
    qemu.once('error', (error: NodeJS.ErrnoException) => settle({ code: null, spawnError: error }));
    qemu.once('close', (code) => settle({ code }));
  });
  clearTimeout(timer);
  untrack();
  const durationMs = Date.now() - started;
  await Promise.all(ports.map((port) => channels[port].close(timedOut || exit.spawnError ? 0 : 2000)));
  // Only the output dir outlives the run; a caller-chosen one lives elsewhere, so then nothing of the work dir is kept.
  if (options.outputDir === undefined) {
    rmSync(jobDir, { recursive: true, force: true });
    for (const port of ports) rmSync(channels[port].socketPath, { force: true });
  } else rmSync(workDir, { recursive: true, force: true });

  if (exit.spawnError) {
    const missing = exit.spawnError.code === 'ENOENT';
    return fail(
      labError(missing ? 'qemu-missing' : 'qemu-failed', missing ? 'qemu is not installed' : `cannot start qemu: ${exit.spawnError.message}`, {
        path: qemuBinary,
        ...(missing ? { remedy: aptInstallCommand([debianPackages.qemu]) } : {}),
      }),
    );
  }
  const status = parseGuestStatus(channels.status.text());
  const run: LabRun = {
    exitCode: timedOut ? null : (status.exitCode ?? null),
    stdout: channels.stdout.text(),
    stderr: channels.stderr.text(),
    kernelLog: kernelLogMessages(channels.kernelLog.text()),
    outputDir,
    timedOut,
    durationMs,
    bootMs: statusSeenAt === null ? null : statusSeenAt - started,
    console: consoleText,
    kernelVersion: kernel.value.version,
  };
  if (timedOut) return succeed(run);
  if (status.setupError !== undefined) {
    return fail(labError('guest-setup-failed', `the guest could not start the command: ${status.setupError}`, { path: kernel.value.imagePath }));
  }
  if (status.exitCode === undefined) {
    const tail = (qemuErrors + consoleText).trim().split('\n').slice(-15).join('\n');
    return fail(
      labError('guest-no-status', `the VM stopped (qemu exit ${exit.code}) without reporting an exit code:\n${tail}`, {
        path: kernel.value.imagePath,
      }),
    );
  }
  return succeed(run);
}

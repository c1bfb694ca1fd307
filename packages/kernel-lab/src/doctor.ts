import { spawnSync } from 'node:child_process';
import { aptInstallCommand, debianPackages } from './debian-packages.js';
import { resolveLabKernel, type KernelImage } from './kernel-image.js';
import { labModulesFor } from './kernel-modules.js';
import { probeKvm } from './kvm-probe.js';
import type { LabError } from './lab-error.js';
import { findStaticBusybox } from './static-busybox.js';

export interface DoctorCheck {
  name: 'qemu' | 'kernel' | 'kernel modules' | 'busybox' | 'kvm';
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  /** True when runInLab can boot a VM. */
  ready: boolean;
  checks: DoctorCheck[];
  kernel?: KernelImage;
  /** The accelerator runInLab uses by default; KVM is reported but never required. */
  accelerator: 'tcg';
  kvmUsable: boolean;
  problems: LabError[];
  /** One command that installs everything missing, when something is. */
  aptCommand?: string;
}

export interface DoctorOptions {
  qemuBinary?: string;
  kernelImage?: string;
  busyboxPath?: string;
}

function packageOfRemedy(error: LabError): string[] {
  const match = /^apt-get install -y (.+)$/.exec(error.remedy ?? '');
  return match?.[1] ? match[1].split(' ') : [];
}

/** What the lab needs and what is present: qemu, a kernel with AppArmor and BPF-LSM, its modules, static busybox, KVM. */
export function labDoctor(options: DoctorOptions = {}): DoctorReport {
  const qemuBinary = options.qemuBinary ?? 'qemu-system-x86_64';
  const checks: DoctorCheck[] = [];
  const problems: LabError[] = [];

  const qemu = spawnSync(qemuBinary, ['--version'], { encoding: 'utf8' });
  const qemuVersion = qemu.status === 0 ? (qemu.stdout.split('\n')[0] ?? '').trim() : undefined;
  checks.push({ name: 'qemu', ok: qemuVersion !== undefined, detail: qemuVersion ?? `${qemuBinary} not found` });
  if (qemuVersion === undefined) {
    problems.push({ code: 'qemu-missing', message: 'qemu is not installed', path: qemuBinary, remedy: aptInstallCommand([debianPackages.qemu]) });
  }

  const kernel = resolveLabKernel(options.kernelImage);
  checks.push({
    name: 'kernel',
    ok: kernel.ok,
    detail: kernel.ok ? `${kernel.value.imagePath} (AppArmor and BPF-LSM built in)` : kernel.error.message,
  });
  if (!kernel.ok) problems.push(kernel.error);
  else {
    const modules = labModulesFor(kernel.value.modulesDir);
    checks.push({
      name: 'kernel modules',
      ok: modules.ok,
      detail: modules.ok ? `${modules.value.map((module) => module.name).join(' ')} in ${kernel.value.modulesDir}` : modules.error.message,
    });
    if (!modules.ok) problems.push(modules.error);
  }

  const busybox = findStaticBusybox(options.busyboxPath);
  checks.push({ name: 'busybox', ok: busybox.ok, detail: busybox.ok ? `${busybox.value} (static)` : busybox.error.message });
  if (!busybox.ok) problems.push(busybox.error);

  const kvm = qemuVersion === undefined ? { usable: false, reason: 'qemu is not installed' } : probeKvm(qemuBinary);
  checks.push({
    name: 'kvm',
    ok: true,
    detail: kvm.usable ? 'usable (the lab still defaults to TCG)' : `not usable (${kvm.reason}); the lab uses TCG emulation`,
  });

  const missingPackages = problems.flatMap(packageOfRemedy);
  return {
    ready: problems.length === 0,
    checks,
    ...(kernel.ok ? { kernel: kernel.value } : {}),
    accelerator: 'tcg',
    kvmUsable: kvm.usable,
    problems,
    ...(missingPackages.length > 0 ? { aptCommand: aptInstallCommand(missingPackages) } : {}),
  };
}

/** The report as lines for a terminal: one line per check, then what to install. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.map((check) => `${check.ok ? 'ok     ' : 'missing'}  ${check.name.padEnd(width)}  ${check.detail}`);
  lines.push(report.ready ? 'kernel-lab is ready' : 'kernel-lab is not ready');
  if (report.aptCommand) lines.push(`install the missing pieces with: ${report.aptCommand}`);
  return lines.join('\n');
}

import { describe, expect, it } from 'vitest';
import { formatDoctorReport, labDoctor } from '../src/doctor.js';
import { formatLabError } from '../src/lab-error.js';
import { runInLab } from '../src/run-in-lab.js';

describe('labDoctor', () => {
  it('finds qemu, the Debian kernel with AppArmor and BPF-LSM, its modules and static busybox on this machine', () => {
    const report = labDoctor();
    expect(report.problems).toEqual([]);
    expect(report.ready).toBe(true);
    expect(report.kernel?.imagePath).toMatch(/^\/boot\/vmlinuz-/);
    expect(report.checks.map((check) => check.name)).toEqual(['qemu', 'kernel', 'kernel modules', 'busybox', 'kvm']);
    expect(report.accelerator).toBe('tcg');
    const text = formatDoctorReport(report);
    expect(text).toMatch(/^ok +qemu +QEMU emulator version/m);
    expect(text).toMatch(/^ok +kvm +(usable|not usable)/m);
    expect(text.split('\n').at(-1)).toBe('kernel-lab is ready');
  });

  it('names the one apt command for what is missing', () => {
    const report = labDoctor({ qemuBinary: 'qemu-system-nonexistent', busyboxPath: '/nonexistent/busybox' });
    expect(report.ready).toBe(false);
    expect(report.problems.map((problem) => problem.code)).toEqual(['qemu-missing', 'busybox-missing']);
    expect(report.aptCommand).toBe('apt-get install -y busybox-static qemu-system-x86');
    const text = formatDoctorReport(report);
    expect(text).toMatch(/^missing +qemu +qemu-system-nonexistent not found$/m);
    expect(text).toContain('install the missing pieces with: apt-get install -y busybox-static qemu-system-x86');
  });
});

describe('runInLab without its pieces', () => {
  it('returns one error value, not an exception, when qemu is missing', async () => {
    const outcome = await runInLab({ command: ['true'], qemuBinary: 'qemu-system-nonexistent' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('qemu-missing');
    expect(formatLabError(outcome.error)).toBe(
      'kernel-lab: qemu-missing: qemu is not installed (qemu-system-nonexistent)\n  fix: apt-get install -y qemu-system-x86',
    );
  });

  it('returns kernel-missing for a kernel image that does not exist', async () => {
    const outcome = await runInLab({ command: ['true'], kernelImage: '/boot/vmlinuz-0.0.0-none' });
    expect(!outcome.ok && outcome.error.code).toBe('kernel-missing');
  });
});

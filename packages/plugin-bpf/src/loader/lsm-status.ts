import { readFileSync } from 'node:fs';

/**
 * Why BPF-LSM programs cannot enforce here, or undefined when they can: the kernel must list `bpf` among its
 * active LSMs (boot with lsm=...,bpf) and the process must be root (CAP_BPF, CAP_PERFMON and CAP_MAC_ADMIN).
 */
export function bpfLsmProblem(options: { lsmPath?: string; euid?: number } = {}): { code: 'bpf-lsm-inactive' | 'bpf-not-privileged'; message: string } | undefined {
  const lsmPath = options.lsmPath ?? '/sys/kernel/security/lsm';
  let active: string[];
  try {
    active = readFileSync(lsmPath, 'utf8').trim().split(',');
  } catch {
    return { code: 'bpf-lsm-inactive', message: `${lsmPath} cannot be read: securityfs is not mounted or this is not Linux, so BPF-LSM is not available` };
  }
  if (!active.includes('bpf')) {
    return {
      code: 'bpf-lsm-inactive',
      message: `BPF-LSM is not active in this kernel (active LSMs: ${active.join(',') || 'none'}); boot with lsm=${[...active, 'bpf'].join(',')} and CONFIG_BPF_LSM=y`,
    };
  }
  const euid = options.euid ?? process.geteuid?.() ?? -1;
  if (euid !== 0) return { code: 'bpf-not-privileged', message: 'loading BPF-LSM programs needs root (CAP_BPF, CAP_PERFMON and CAP_MAC_ADMIN)' };
  return undefined;
}

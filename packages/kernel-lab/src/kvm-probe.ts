import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface KvmProbe {
  usable: boolean;
  /** Why not, in qemu's own words, when it is not. */
  reason?: string;
}

/**
 * Whether qemu can create a KVM vCPU here. /dev/kvm existing is not enough (nested or restricted hosts refuse
 * MSR writes), so this asks qemu to set up a paused machine and quit.
 */
export function probeKvm(qemuBinary = 'qemu-system-x86_64'): KvmProbe {
  if (!existsSync('/dev/kvm')) return { usable: false, reason: '/dev/kvm does not exist' };
  const probe = spawnSync(
    qemuBinary,
    ['-accel', 'kvm', '-cpu', 'host', '-m', '64', '-nodefaults', '-display', 'none', '-S', '-monitor', 'stdio'],
    { input: 'quit\n', encoding: 'utf8', timeout: 15000 },
  );
  if (probe.error) return { usable: false, reason: probe.error.message };
  if (probe.status === 0) return { usable: true };
  const reason = probe.stderr.split('\n').find((line) => line.trim().length > 0) ?? `qemu exited with ${probe.status ?? probe.signal}`;
  return { usable: false, reason: reason.trim() };
}

import type { SeccompAction } from '@armorkit/core/schema';
import type { ViolationAction } from '@armorkit/core';

/**
 * The seccomp action for a rule violation. Differs from vArmor on purpose (docs/compat.md):
 * audit-deny also asks the kernel to log (SECCOMP_FILTER_FLAG_LOG), and allow without audit does not block
 * (vArmor still returns EPERM there, unlike its AppArmor and BPF enforcers).
 */
export function seccompAction(action: ViolationAction): { action: SeccompAction; logDenials: boolean } | undefined {
  switch (action) {
    case 'deny':
      return { action: 'SCMP_ACT_ERRNO', logDenials: false };
    case 'audit-deny':
      return { action: 'SCMP_ACT_ERRNO', logDenials: true };
    case 'audit':
      return { action: 'SCMP_ACT_LOG', logDenials: false };
    case 'allow':
      return undefined;
  }
}

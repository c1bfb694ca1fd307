import type { LinuxSyscall } from '@armorkit/core/schema';
import type { FieldNote, KubeArmorRule } from './rules.js';

export interface SeccompTranslation {
  syscalls: LinuxSyscall[];
  problems: FieldNote[];
}

/** EPERM: a blocked syscall fails as a KubeArmor block does ("Operation not permitted"). */
const EPERM = 1;

/**
 * Syscall rules → seccomp (KubeArmor only audits them): Audit → SCMP_ACT_LOG (the call runs and is logged), Block →
 * SCMP_ACT_ERRNO with EPERM. A seccomp filter sees neither the executable nor the path, so fromSource and matchPaths
 * cannot be enforced by it.
 */
export function seccompTranslation(rules: readonly KubeArmorRule[]): SeccompTranslation {
  const syscalls: LinuxSyscall[] = [];
  const problems: FieldNote[] = [];
  for (const rule of rules) {
    if (rule.class !== 'syscalls') continue;
    if (rule.path) {
      problems.push({ pointer: `${rule.pointer}/path`, message: 'a seccomp filter cannot see which path a syscall touches; no armorkit enforcer can limit syscalls to a path' });
      continue;
    }
    if (rule.sources.length > 0) {
      problems.push({ pointer: `${rule.pointer}/fromSource`, message: 'a seccomp filter cannot see which executable makes a syscall; no armorkit enforcer can limit syscall rules to a source' });
      continue;
    }
    if (rule.syscalls.length === 0) continue;
    syscalls.push(rule.action === 'Block' ? { names: rule.syscalls, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM } : { names: rule.syscalls, action: 'SCMP_ACT_LOG' });
  }
  return { syscalls, problems };
}

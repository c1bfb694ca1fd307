import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT, type FilterArch } from '../arch.js';
import { syscallName } from '../syscalls/lookup.js';

/** AUDIT_ARCH_I386 (include/uapi/linux/audit.h): EM_386 | __AUDIT_ARCH_LE. */
const AUDIT_ARCH_I386 = 0x40000003;

const ARCH_NAMES: ReadonlyMap<number, string> = new Map([
  [AUDIT_ARCH_X86_64, 'x86_64'],
  [AUDIT_ARCH_AARCH64, 'aarch64'],
  [AUDIT_ARCH_I386, 'i386'],
]);

const TABLES: ReadonlyMap<number, FilterArch> = new Map([
  [AUDIT_ARCH_X86_64, 'x86_64'],
  [AUDIT_ARCH_AARCH64, 'aarch64'],
]);

/** The name of an `arch=` value (`c000003e` → `x86_64`), or undefined when we do not know it. */
export function auditArchName(auditArch: number): string | undefined {
  return ARCH_NAMES.get(auditArch);
}

/**
 * The name of system call `nr` under `auditArch`, from our tables (x86_64, aarch64); undefined for other ABIs
 * (i386, and x32 numbers, which carry X32_SYSCALL_BIT under the x86_64 audit arch).
 */
export function auditSyscallName(auditArch: number, nr: number): string | undefined {
  const table = TABLES.get(auditArch);
  if (table === undefined || (table === 'x86_64' && nr >= X32_SYSCALL_BIT)) return undefined;
  return syscallName(table, nr);
}

import { aarch64Syscalls } from './syscalls/aarch64.js';
import { x86_64Syscalls } from './syscalls/x86_64.js';

/** The architectures a filter can be compiled for. */
export type FilterArch = 'x86_64' | 'aarch64';
export const FILTER_ARCHES: readonly FilterArch[] = ['x86_64', 'aarch64'];

// AUDIT_ARCH_* (include/uapi/linux/audit.h): EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
/** x32 system calls carry this bit in `nr` on an AUDIT_ARCH_X86_64 filter. */
export const X32_SYSCALL_BIT = 0x40000000;

export interface ArchDefinition {
  readonly name: FilterArch;
  readonly auditArch: number;
  readonly syscalls: Readonly<Record<string, number>>;
  /** Numbers at or above this are another ABI sharing the audit arch (x32 on x86_64). */
  readonly foreignAbiFloor?: number;
}

export const ARCHES: Readonly<Record<FilterArch, ArchDefinition>> = {
  x86_64: { name: 'x86_64', auditArch: AUDIT_ARCH_X86_64, syscalls: x86_64Syscalls, foreignAbiFloor: X32_SYSCALL_BIT },
  aarch64: { name: 'aarch64', auditArch: AUDIT_ARCH_AARCH64, syscalls: aarch64Syscalls },
};

import type { BpfFilePermission } from '@armorkit/core';
import type { FilePermission } from '@armorkit/core/schema';

// File permission bits (AppArmor's, as vArmor's BPF rules use them).
export const MAY_EXEC = 0x1;
export const MAY_WRITE = 0x2;
export const MAY_READ = 0x4;
export const MAY_APPEND = 0x8;

/** The access permissions of a file rule: `write` implies append, as an append is a write. */
export function fileAccessMask(permissions: readonly (FilePermission | BpfFilePermission)[]): number {
  let mask = 0;
  for (const permission of permissions) {
    switch (permission) {
      case 'read':
      case 'r':
        mask |= MAY_READ;
        break;
      case 'write':
      case 'w':
        mask |= MAY_WRITE | MAY_APPEND;
        break;
      case 'append':
      case 'a':
        mask |= MAY_APPEND;
        break;
      case 'all':
      case '*':
        mask |= MAY_READ | MAY_WRITE | MAY_APPEND;
        break;
      default:
        break;
    }
  }
  return mask;
}

/** Whether the permissions make an exec rule. */
export function hasExec(permissions: readonly (FilePermission | BpfFilePermission)[]): boolean {
  return permissions.some((p) => p === 'exec' || p === 'x' || p === 'all' || p === '*');
}

/** `read`, `write`, `append` (and `exec`) for a mask, in vArmor's event order. */
export function filePermissionNames(mask: number): string[] {
  const names: [string, number][] = [
    ['exec', MAY_EXEC],
    ['write', MAY_WRITE],
    ['read', MAY_READ],
    ['append', MAY_APPEND],
  ];
  return names.filter(([, bit]) => mask & bit).map(([name]) => name);
}

// ptrace permissions: what the confined task does (trace, read) and what is done to it (traceby, readby).
export const PTRACE_TRACE = 0x2;
export const PTRACE_READ = 0x4;
export const PTRACE_TRACEBY = 0x8;
export const PTRACE_READBY = 0x10;
export const PTRACE_ALL = PTRACE_TRACE | PTRACE_READ | PTRACE_TRACEBY | PTRACE_READBY;

const PTRACE_BITS: Readonly<Record<string, number>> = {
  trace: PTRACE_TRACE,
  read: PTRACE_READ,
  traceby: PTRACE_TRACEBY,
  readby: PTRACE_READBY,
  all: PTRACE_ALL,
  '*': PTRACE_ALL,
};

export function ptraceMask(permissions: readonly string[]): number {
  return permissions.reduce((mask, name) => mask | (PTRACE_BITS[name] ?? 0), 0);
}

export function ptracePermissionName(bit: number): string {
  return Object.entries(PTRACE_BITS).find(([, value]) => value === bit)?.[0] ?? String(bit);
}

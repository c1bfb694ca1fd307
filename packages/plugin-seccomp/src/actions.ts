import type { SeccompAction } from '@armorkit/core/schema';

// SECCOMP_RET_* (include/uapi/linux/seccomp.h).
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

export const EPERM = 1;
export const ENOSYS = 38;

/** Actions that carry an errno in SECCOMP_RET_DATA (runtime-spec: errnoRet only for these). */
export function takesErrno(action: SeccompAction): boolean {
  return action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE';
}

/** The u32 a filter returns for an OCI action; ERRNO and TRACE default to EPERM as runc does. */
export function actionValue(action: SeccompAction, errno: number = EPERM): number {
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SECCOMP_RET_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SECCOMP_RET_KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return SECCOMP_RET_TRAP;
    case 'SCMP_ACT_ERRNO':
      return (SECCOMP_RET_ERRNO | (errno & SECCOMP_RET_DATA)) >>> 0;
    case 'SCMP_ACT_TRACE':
      return (SECCOMP_RET_TRACE | (errno & SECCOMP_RET_DATA)) >>> 0;
    case 'SCMP_ACT_NOTIFY':
      return SECCOMP_RET_USER_NOTIF;
    case 'SCMP_ACT_LOG':
      return SECCOMP_RET_LOG;
    case 'SCMP_ACT_ALLOW':
      return SECCOMP_RET_ALLOW;
  }
}

/**
 * Restrictiveness of a return value: larger is more restrictive. The kernel orders actions as signed values
 * (KILL_PROCESS < KILL_THREAD < TRAP < ERRNO < USER_NOTIF < TRACE < LOG < ALLOW) and keeps the least permissive.
 */
export function actionPrecedence(value: number): number {
  return -((value & SECCOMP_RET_ACTION_FULL) | 0);
}

const ACTION_NAMES: ReadonlyMap<number, string> = new Map([
  [SECCOMP_RET_KILL_PROCESS, 'KILL_PROCESS'],
  [SECCOMP_RET_KILL_THREAD, 'KILL_THREAD'],
  [SECCOMP_RET_TRAP, 'TRAP'],
  [SECCOMP_RET_ERRNO, 'ERRNO'],
  [SECCOMP_RET_USER_NOTIF, 'USER_NOTIF'],
  [SECCOMP_RET_TRACE, 'TRACE'],
  [SECCOMP_RET_LOG, 'LOG'],
  [SECCOMP_RET_ALLOW, 'ALLOW'],
]);

/** `ERRNO(1)`, `ALLOW`, ... for a return value. */
export function describeAction(value: number): string {
  const name = ACTION_NAMES.get((value & SECCOMP_RET_ACTION_FULL) >>> 0) ?? `0x${(value >>> 0).toString(16)}`;
  const data = value & SECCOMP_RET_DATA;
  return data === 0 && name !== 'ERRNO' ? name : `${name}(${data})`;
}

import type { ViolationEventAction } from '@armorkit/core/audit';
import {
  SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
  SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
} from '../actions.js';

/** The filter action a SECCOMP record reports in `code=`. */
export type SeccompReturnAction = 'KILL_PROCESS' | 'KILL_THREAD' | 'TRAP' | 'ERRNO' | 'USER_NOTIF' | 'TRACE' | 'LOG' | 'ALLOW';

export interface DecodedSeccompAction {
  seccompAction: SeccompReturnAction;
  action: ViolationEventAction;
  /** SECCOMP_RET_DATA of an ERRNO return, when the record carries it (see below). */
  errno?: number;
}

const KILL_PROCESS: DecodedSeccompAction = { seccompAction: 'KILL_PROCESS', action: 'DENIED' };
const KILL_THREAD: DecodedSeccompAction = { seccompAction: 'KILL_THREAD', action: 'DENIED' };
const TRAP: DecodedSeccompAction = { seccompAction: 'TRAP', action: 'DENIED' };
const ERRNO: DecodedSeccompAction = { seccompAction: 'ERRNO', action: 'DENIED' };
const USER_NOTIF: DecodedSeccompAction = { seccompAction: 'USER_NOTIF', action: 'AUDIT' };
const TRACE: DecodedSeccompAction = { seccompAction: 'TRACE', action: 'AUDIT' };
// vArmor logs seccomp LOG as "AUDIT|ALLOWED": it cannot tell an audit rule (EnhanceProtect) from observation (DefenseInDepth).
const LOG: DecodedSeccompAction = { seccompAction: 'LOG', action: 'AUDIT|ALLOWED' };
// Logged only when kernel.seccomp.actions_logged lists "allow".
const ALLOW: DecodedSeccompAction = { seccompAction: 'ALLOW', action: 'ALLOWED' };

/**
 * `code=` → the filter action and vArmor's action. Mainline kernels log `filter_ret & SECCOMP_RET_ACTION_FULL`
 * (kernel/seccomp.c seccomp_log), so an ERRNO record's data bits are zero and the errno is not recoverable; `errno`
 * is set only when a kernel logs the data. The kernel kills on any unknown action, and so do we: DENIED, KILL_PROCESS.
 */
export function decodeSeccompAction(code: number): DecodedSeccompAction {
  switch ((code & SECCOMP_RET_ACTION_FULL) >>> 0) {
    case SECCOMP_RET_KILL_PROCESS:
      return KILL_PROCESS;
    case SECCOMP_RET_KILL_THREAD:
      return KILL_THREAD;
    case SECCOMP_RET_TRAP:
      return TRAP;
    case SECCOMP_RET_ERRNO: {
      const data = code & SECCOMP_RET_DATA;
      return data === 0 ? ERRNO : { ...ERRNO, errno: data };
    }
    case SECCOMP_RET_USER_NOTIF:
      return USER_NOTIF;
    case SECCOMP_RET_TRACE:
      return TRACE;
    case SECCOMP_RET_LOG:
      return LOG;
    case SECCOMP_RET_ALLOW:
      return ALLOW;
    default:
      return KILL_PROCESS;
  }
}

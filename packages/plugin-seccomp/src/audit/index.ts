// Seccomp audit records (type=1326 / SECCOMP) → ViolationEvents.
export { decodeSeccompFields, decodeSeccompRecord } from './decode-record.js';
export { decodeSeccompAction, type DecodedSeccompAction, type SeccompReturnAction } from './seccomp-action.js';
export { auditArchName, auditSyscallName } from './audit-arch.js';

// Seccomp audit records (type=1326 / SECCOMP) → ViolationEvents, read by core from the declaration.
export { seccompAuditRecord } from './seccomp-record.js';
export { decodeSeccompAction, type DecodedSeccompAction, type SeccompReturnAction } from './seccomp-action.js';
export { auditArchName, auditSyscallName } from './audit-arch.js';

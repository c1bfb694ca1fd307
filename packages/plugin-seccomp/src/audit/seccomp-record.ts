import { defineAuditRecord, hexValue, violationEvent } from '@armorkit/core/audit';
import { auditArchName, auditSyscallName } from './audit-arch.js';
import { decodeSeccompAction } from './seccomp-action.js';

/**
 * A seccomp audit record (type=1326 / SECCOMP, written by kernel/auditsc.c audit_seccomp() after audit_log_task()):
 * `auid= uid= gid= ses= [subj=] pid= comm= exe= sig= arch= syscall= compat= ip= code=`, and the two of auditd's
 * ENRICHED names we read (`ARCH=`, `SYSCALL=`). A record needs `arch=`, `syscall=` and `code=`: without them (a line cut
 * short by a syslog size limit) nothing says what was done. Unknown fields, wherever they are, are skipped.
 */
export const seccompAuditRecord = defineAuditRecord({
  name: 'seccomp',
  start: { by: 'type', types: ['SECCOMP', '1326'] },
  grammar: { labels: true, gluedKeys: 'upper', emptyKeys: false },
  fields: {
    auid: 'decimal',
    uid: 'decimal',
    gid: 'decimal',
    ses: 'decimal',
    subj: 'text',
    pid: 'decimal',
    comm: 'hex-or-quoted',
    exe: 'hex-or-quoted',
    sig: 'decimal',
    arch: 'hex',
    syscall: 'decimal',
    compat: 'decimal',
    ip: 'text',
    code: 'hex-text',
    // ENRICHED: the names auditd resolved, used when our tables do not know the ABI (i386, x32).
    ARCH: 'text',
    SYSCALL: 'text',
  },
  event(fields, context) {
    const { arch, syscall: syscallNumber, code: codeText, pid, subj } = fields;
    const code = codeText === undefined ? undefined : hexValue(codeText);
    if (arch === undefined || syscallNumber === undefined || code === undefined) return undefined;
    const decoded = decodeSeccompAction(code);
    const knownArch = auditArchName(arch);
    const epoch = context.epoch ?? 0;
    return violationEvent({
      nodeName: context.nodeName,
      pid: pid !== undefined && pid <= 0xffffffff ? pid : 0,
      eventTimestamp: epoch,
      enforcer: 'Seccomp',
      action: decoded.action,
      // AppArmor prints a confined task's label with its mode (`varmor-demo-demo-5 (enforce)`); a label without one is
      // `unconfined`, an SELinux context (`system_u:system_r:spc_t:s0`) or another LSM's, and names no profile of ours.
      profileName: subj !== undefined && subj.endsWith(')') && subj.includes(' (') ? context.profileOf(subj).profileName : '',
      event: {
        auditID: context.auditID ?? '',
        epoch,
        subj: subj ?? '',
        pid,
        comm: fields.comm,
        exe: fields.exe,
        syscall: auditSyscallName(arch, syscallNumber) ?? fields.SYSCALL ?? String(syscallNumber),
        syscallNumber,
        arch: knownArch ?? fields.ARCH ?? arch.toString(16),
        sig: fields.sig,
        compat: fields.compat,
        ip: fields.ip,
        code: codeText,
        seccompAction: decoded.seccompAction,
        errno: decoded.errno,
        auid: fields.auid,
        uid: fields.uid,
        gid: fields.gid,
        ses: fields.ses,
      },
    });
  },
});

import { auditArchName, auditSyscallName } from './audit-arch.js';

/**
 * The fields of one seccomp record, as either reader (fixed order or cursor) found them. One instance is reused for
 * every line, so reading a record allocates only the strings it keeps.
 */
export class SeccompFields {
  auid: number | undefined = undefined;
  uid: number | undefined = undefined;
  gid: number | undefined = undefined;
  ses: number | undefined = undefined;
  subj: string | undefined = undefined;
  pid: number | undefined = undefined;
  comm: string | undefined = undefined;
  exe: string | undefined = undefined;
  sig: number | undefined = undefined;
  arch: number | undefined = undefined;
  syscallNumber: number | undefined = undefined;
  compat: number | undefined = undefined;
  ip: string | undefined = undefined;
  code: number | undefined = undefined;
  codeText: string | undefined = undefined;

  set(
    auid: number | undefined, uid: number | undefined, gid: number | undefined, ses: number | undefined, subj: string | undefined,
    pid: number | undefined, comm: string | undefined, exe: string | undefined, sig: number | undefined, arch: number | undefined,
    syscallNumber: number | undefined, compat: number | undefined, ip: string | undefined, code: number | undefined, codeText: string | undefined,
  ): void {
    this.auid = auid;
    this.uid = uid;
    this.gid = gid;
    this.ses = ses;
    this.subj = subj;
    this.pid = pid;
    this.comm = comm;
    this.exe = exe;
    this.sig = sig;
    this.arch = arch;
    this.syscallNumber = syscallNumber;
    this.compat = compat;
    this.ip = ip;
    this.code = code;
    this.codeText = codeText;
  }

  /** True when our tables name both the ABI and the system call, so auditd's ENRICHED names are not needed. */
  namesKnown(arch: number, syscallNumber: number): boolean {
    return auditArchName(arch) !== undefined && auditSyscallName(arch, syscallNumber) !== undefined;
  }
}

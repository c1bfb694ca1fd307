// The seccomp decoder as it was before the positional fast path (commit f819080), kept verbatim as the oracle of
// test/audit-differential.test.ts. Do not optimise it. The field cursor, value readers and record head it uses were the
// decoder's own until the decoder became a declaration read by core (issue 12); they are kept here, verbatim, beside it.
import { type ViolationEvent, profileNameFromLabel, violationEvent } from '@armorkit/core/audit';
import { auditArchName, auditSyscallName } from '../../src/audit/audit-arch.js';
import { FieldCursor } from './field-cursor.js';
import { decimalValue, hexValue, stringValue } from './field-values.js';
import { recordFieldAt } from './record-fields.js';
import { locateSeccompRecord } from './record-head.js';
import { decodeSeccompAction } from '../../src/audit/seccomp-action.js';

const cursor = new FieldCursor();

/**
 * One seccomp audit record (type=1326 / SECCOMP, written by kernel/auditsc.c audit_seccomp()) in any transport →
 * a ViolationEvent; undefined for any other line. A record needs `arch=`, `syscall=` and `code=`: without them (a line
 * cut short by a syslog size limit) nothing says what was done. Unknown fields, wherever they are, are skipped.
 */
export function decodeSeccompRecord(line: string): ViolationEvent | undefined {
  const head = locateSeccompRecord(line);
  if (head === undefined) return undefined;

  let auid: number | undefined;
  let uid: number | undefined;
  let gid: number | undefined;
  let ses: number | undefined;
  let subj: string | undefined;
  let pid: number | undefined;
  let comm: string | undefined;
  let exe: string | undefined;
  let sig: number | undefined;
  let arch: number | undefined;
  let syscallNumber: number | undefined;
  let compat: number | undefined;
  let ip: string | undefined;
  let code: number | undefined;
  let codeText: string | undefined;
  // auditd ENRICHED: the names auditd resolved, used when our tables do not know the ABI (i386, x32).
  let enrichedSyscallStart = -1;
  let enrichedSyscallEnd = -1;
  let enrichedArchStart = -1;
  let enrichedArchEnd = -1;

  cursor.reset(line, head.bodyStart);
  while (cursor.next()) {
    const { valueStart: start, valueEnd: end } = cursor;
    switch (recordFieldAt(line, cursor.keyStart, cursor.keyEnd)) {
      case 'auid':
        auid ??= decimalValue(line, start, end);
        break;
      case 'uid':
        uid ??= decimalValue(line, start, end);
        break;
      case 'gid':
        gid ??= decimalValue(line, start, end);
        break;
      case 'ses':
        ses ??= decimalValue(line, start, end);
        break;
      case 'subj':
        subj ??= line.slice(start, end);
        break;
      case 'pid':
        pid ??= decimalValue(line, start, end);
        break;
      case 'comm':
        comm ??= stringValue(line, start, end, cursor.quoted);
        break;
      case 'exe':
        exe ??= stringValue(line, start, end, cursor.quoted);
        break;
      case 'sig':
        sig ??= decimalValue(line, start, end);
        break;
      case 'arch':
        arch ??= hexValue(line, start, end);
        break;
      case 'syscall':
        syscallNumber ??= decimalValue(line, start, end);
        break;
      case 'compat':
        compat ??= decimalValue(line, start, end);
        break;
      case 'ip':
        ip ??= line.slice(start, end);
        break;
      case 'code':
        if (code === undefined) {
          code = hexValue(line, start, end);
          codeText = line.slice(start, end);
        }
        break;
      case 'SYSCALL':
        if (enrichedSyscallStart < 0) [enrichedSyscallStart, enrichedSyscallEnd] = [start, end];
        break;
      case 'ARCH':
        if (enrichedArchStart < 0) [enrichedArchStart, enrichedArchEnd] = [start, end];
        break;
    }
  }
  if (arch === undefined || syscallNumber === undefined || code === undefined) return undefined;

  const decoded = decodeSeccompAction(code);
  const knownArch = auditArchName(arch);
  const archName = knownArch === undefined && enrichedArchStart >= 0 ? line.slice(enrichedArchStart, enrichedArchEnd) : knownArch ?? arch.toString(16);
  const syscall =
    auditSyscallName(arch, syscallNumber) ??
    (enrichedSyscallStart >= 0 ? line.slice(enrichedSyscallStart, enrichedSyscallEnd) : String(syscallNumber));
  return violationEvent({
    nodeName: head.nodeName,
    pid: pid !== undefined && pid <= 0xffffffff ? pid : 0,
    eventTimestamp: head.epoch,
    enforcer: 'Seccomp',
    action: decoded.action,
    profileName: appArmorProfileName(subj),
    event: {
      auditID: head.auditID,
      epoch: head.epoch,
      subj: subj ?? '',
      pid,
      comm,
      exe,
      syscall,
      syscallNumber,
      arch: archName,
      sig,
      compat,
      ip,
      code: codeText,
      seccompAction: decoded.seccompAction,
      errno: decoded.errno,
      auid,
      uid,
      gid,
      ses,
    },
  });
}

/**
 * The AppArmor profile a `subj=` label names. AppArmor prints a confined task's label with its mode
 * (`varmor-demo-demo-5 (enforce)`); a label without one is `unconfined`, an SELinux context
 * (`system_u:system_r:spc_t:s0`) or another LSM's, and names no profile of ours.
 */
function appArmorProfileName(subj: string | undefined): string {
  if (subj === undefined || !subj.endsWith(')') || !subj.includes(' (')) return '';
  let profileName = profileNames.get(subj);
  if (profileName === undefined) {
    // A node runs a few hundred profiles at most; the bound only keeps hostile input from growing the map.
    if (profileNames.size >= PROFILE_NAME_CACHE_SIZE) profileNames.clear();
    profileName = profileNameFromLabel(subj).profileName;
    profileNames.set(subj, profileName);
  }
  return profileName;
}

const PROFILE_NAME_CACHE_SIZE = 4096;
const profileNames = new Map<string, string>();

import { type AuditFields, type ViolationEvent, profileNameFromLabel, violationEvent } from '@armorkit/core';
import { auditArchName, auditSyscallName } from './audit-arch.js';
import { FieldCursor } from './field-cursor.js';
import { decimalValue, hexValue, stringValue } from './field-values.js';
import { recordFieldAt } from './record-fields.js';
import { locateSeccompRecord, type SeccompRecordHead } from './record-head.js';
import { readFixedOrder } from './fixed-order.js';
import { SeccompFields } from './seccomp-fields.js';
import { decodeSeccompAction } from './seccomp-action.js';

const cursor = new FieldCursor();
const fields = new SeccompFields();

/**
 * One seccomp audit record (type=1326 / SECCOMP, written by kernel/auditsc.c audit_seccomp()) in any transport →
 * a ViolationEvent; undefined for any other line. A record needs `arch=`, `syscall=` and `code=`: without them (a line
 * cut short by a syslog size limit) nothing says what was done. Unknown fields, wherever they are, are skipped.
 *
 * Records in the kernel's field order are read by position (fixed-order.ts); any other is read by the cursor, which
 * finds each field wherever it is. Both give the same event for a record in the kernel's order.
 */
export function decodeSeccompRecord(line: string): ViolationEvent | undefined {
  const head = locateSeccompRecord(line);
  if (head === undefined) return undefined;
  if (readFixedOrder(line, head.bodyStart, fields)) return seccompEvent(head, fields, undefined, undefined);
  return decodeAnyOrder(line, head);
}

/**
 * The same record already split into fields by the native scanner (a plain auditd line): the same event as
 * `decodeSeccompRecord(fields.line())`, or undefined when it is not a seccomp record (or lacks what one needs).
 */
export function decodeSeccompFields(record: AuditFields): ViolationEvent | undefined {
  const type = record.type;
  if (type !== 'SECCOMP' && type !== '1326') return undefined;
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
  let enrichedSyscall: string | undefined;
  let enrichedArch: string | undefined;
  let kernelOrder = 0;
  while (kernelOrder < KERNEL_ORDER_SHAPES.length && !record.keysAre(KERNEL_ORDER_SHAPES[kernelOrder] as readonly string[])) kernelOrder++;
  if (kernelOrder < KERNEL_ORDER_SHAPES.length) {
    // The kernel's order: every key once, so reading by position gives what the loop below would.
    const s = kernelOrder < 2 ? 1 : 0;
    auid = decimalText(record, 0);
    uid = decimalText(record, 1);
    gid = decimalText(record, 2);
    ses = decimalText(record, 3);
    if (s === 1) subj = record.text(4);
    pid = decimalText(record, 4 + s);
    comm = stringText(record, 5 + s);
    exe = stringText(record, 6 + s);
    sig = decimalText(record, 7 + s);
    arch = hexText(record, 8 + s);
    syscallNumber = decimalText(record, 9 + s);
    compat = decimalText(record, 10 + s);
    ip = record.text(11 + s);
    codeText = record.text(12 + s);
    code = hexValue(codeText, 0, codeText.length);
    if (kernelOrder % 2 === 0) {
      enrichedArch = record.text(16 + s);
      enrichedSyscall = record.text(17 + s);
    }
  } else {
    for (let i = 0, count = record.count; i < count; i++) {
      switch (record.key(i)) {
        case 'auid':
          auid ??= decimalText(record, i);
          break;
        case 'uid':
          uid ??= decimalText(record, i);
          break;
        case 'gid':
          gid ??= decimalText(record, i);
          break;
        case 'ses':
          ses ??= decimalText(record, i);
          break;
        case 'subj':
          subj ??= record.text(i);
          break;
        case 'pid':
          pid ??= decimalText(record, i);
          break;
        case 'comm':
          comm ??= stringText(record, i);
          break;
        case 'exe':
          exe ??= stringText(record, i);
          break;
        case 'sig':
          sig ??= decimalText(record, i);
          break;
        case 'arch':
          arch ??= hexText(record, i);
          break;
        case 'syscall':
          syscallNumber ??= decimalText(record, i);
          break;
        case 'compat':
          compat ??= decimalText(record, i);
          break;
        case 'ip':
          ip ??= record.text(i);
          break;
        case 'code':
          if (code === undefined) {
            codeText = record.text(i);
            code = hexValue(codeText, 0, codeText.length);
          }
          break;
        case 'SYSCALL':
          enrichedSyscall ??= record.text(i);
          break;
        case 'ARCH':
          enrichedArch ??= record.text(i);
          break;
      }
    }
  }
  if (arch === undefined || syscallNumber === undefined || code === undefined) return undefined;
  // The scanner read the stamp's seconds (digits only, as locateSeccompRecord reads them).
  const head: SeccompRecordHead = { bodyStart: 0, auditID: record.auditID(), epoch: record.epoch, nodeName: record.nodeName };
  fields.set(auid, uid, gid, ses, subj, pid, comm, exe, sig, arch, syscallNumber, compat, ip, code, codeText);
  return seccompEvent(head, fields, enrichedArch, enrichedSyscall);
}

/** The kernel's order (kernel/auditsc.c audit_seccomp()), with and without `subj=`, with and without auditd's ENRICHED names. */
const KERNEL_FIELDS = ['auid', 'uid', 'gid', 'ses', 'subj', 'pid', 'comm', 'exe', 'sig', 'arch', 'syscall', 'compat', 'ip', 'code'];
const ENRICHED_FIELDS = ['AUID', 'UID', 'GID', 'ARCH', 'SYSCALL'];
const WITHOUT_SUBJ = KERNEL_FIELDS.filter((key) => key !== 'subj');
const KERNEL_ORDER_SHAPES: readonly (readonly string[])[] = [
  [...KERNEL_FIELDS, ...ENRICHED_FIELDS],
  KERNEL_FIELDS,
  [...WITHOUT_SUBJ, ...ENRICHED_FIELDS],
  WITHOUT_SUBJ,
];

/** An unsigned decimal, quoted or not (as decimalValue reads the text between the quotes), leading zeros allowed. */
function decimalText(record: AuditFields, index: number): number | undefined {
  const value = record.decimal(index);
  if (value !== undefined) return value;
  const text = record.text(index);
  return decimalValue(text, 0, text.length);
}

function stringText(record: AuditFields, index: number): string {
  const text = record.text(index);
  return stringValue(text, 0, text.length, record.quoted(index));
}

function hexText(record: AuditFields, index: number): number | undefined {
  const text = record.text(index);
  return hexValue(text, 0, text.length);
}

/** The tolerant reading: every field wherever it is, the first occurrence winning, unknown fields skipped. */
function decodeAnyOrder(line: string, head: SeccompRecordHead): ViolationEvent | undefined {
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

  const enrichedArch = enrichedArchStart >= 0 ? line.slice(enrichedArchStart, enrichedArchEnd) : undefined;
  const enrichedSyscall = enrichedSyscallStart >= 0 ? line.slice(enrichedSyscallStart, enrichedSyscallEnd) : undefined;
  fields.set(auid, uid, gid, ses, subj, pid, comm, exe, sig, arch, syscallNumber, compat, ip, code, codeText);
  return seccompEvent(head, fields, enrichedArch, enrichedSyscall);
}

/** The event of a record read into `fields` (arch, syscall and code present); ENRICHED names for ABIs we do not know. */
function seccompEvent(head: SeccompRecordHead, fields: SeccompFields, enrichedArch: string | undefined, enrichedSyscall: string | undefined): ViolationEvent {
  const arch = fields.arch as number;
  const syscallNumber = fields.syscallNumber as number;
  const pid = fields.pid;
  const decoded = decodeSeccompAction(fields.code as number);
  const knownArch = auditArchName(arch);
  const archName = knownArch === undefined && enrichedArch !== undefined ? enrichedArch : knownArch ?? arch.toString(16);
  const syscall = auditSyscallName(arch, syscallNumber) ?? enrichedSyscall ?? String(syscallNumber);
  return violationEvent({
    nodeName: head.nodeName,
    pid: pid !== undefined && pid <= 0xffffffff ? pid : 0,
    eventTimestamp: head.epoch,
    enforcer: 'Seccomp',
    action: decoded.action,
    profileName: appArmorProfileName(fields.subj),
    event: {
      auditID: head.auditID,
      epoch: head.epoch,
      subj: fields.subj ?? '',
      pid,
      comm: fields.comm,
      exe: fields.exe,
      syscall,
      syscallNumber,
      arch: archName,
      sig: fields.sig,
      compat: fields.compat,
      ip: fields.ip,
      code: fields.codeText,
      seccompAction: decoded.seccompAction,
      errno: decoded.errno,
      auid: fields.auid,
      uid: fields.uid,
      gid: fields.gid,
      ses: fields.ses,
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

import { type AuditFields, type ViolationEvent, profileNameFromLabel, violationEvent } from '@armorkit/core/audit';
import { auditArchName, auditSyscallName } from './audit-arch.js';
import { decimalOf, type EnrichedNames, LineFieldSource, readAnyOrder, SplitFieldSource, stringOf } from './any-order.js';
import { FieldCursor } from './field-cursor.js';
import { hexValue } from './field-values.js';
import { locateSeccompRecord, type SeccompRecordHead } from './record-head.js';
import { readFixedOrder } from './fixed-order.js';
import { SeccompFields } from './seccomp-fields.js';
import { decodeSeccompAction } from './seccomp-action.js';

const fields = new SeccompFields();
const lineSource = new LineFieldSource(new FieldCursor());
const splitSource = new SplitFieldSource();

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
  const kernelOrder = kernelOrderShape(record);
  let enriched: EnrichedNames | undefined;
  if (kernelOrder >= 0) {
    // The kernel's order: every key once, so reading by position gives what readAnyOrder would.
    const s = kernelOrder < 2 ? 1 : 0;
    const codeText = record.text(12 + s);
    const archText = record.text(8 + s);
    fields.set(
      decimalOf(record, 0), decimalOf(record, 1), decimalOf(record, 2), decimalOf(record, 3), s === 1 ? record.text(4) : undefined,
      decimalOf(record, 4 + s), stringOf(record, 5 + s), stringOf(record, 6 + s), decimalOf(record, 7 + s),
      hexValue(archText, 0, archText.length), decimalOf(record, 9 + s), decimalOf(record, 10 + s), record.text(11 + s),
      hexValue(codeText, 0, codeText.length), codeText,
    );
    if (fields.arch === undefined || fields.syscallNumber === undefined || fields.code === undefined) return undefined;
    enriched = kernelOrder % 2 === 0 ? { arch: record.text(16 + s), syscall: record.text(17 + s) } : NO_NAMES;
  } else {
    enriched = readAnyOrder(splitSource.reset(record), fields);
    if (enriched === undefined) return undefined;
  }
  // The scanner read the stamp's seconds (digits only, as locateSeccompRecord reads them).
  const head: SeccompRecordHead = { bodyStart: 0, auditID: record.auditID(), epoch: record.epoch, nodeName: record.nodeName };
  return seccompEvent(head, fields, enriched.arch, enriched.syscall);
}

const NO_NAMES: EnrichedNames = { arch: undefined, syscall: undefined };

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

/**
 * Which of the kernel's orders a split record's keys follow (0: with subj and ENRICHED names, 1: with subj, 2: with
 * ENRICHED names, 3: neither), or -1: the record is read field by field.
 */
export function kernelOrderShape(record: AuditFields): number {
  for (let shape = 0; shape < KERNEL_ORDER_SHAPES.length; shape++) if (record.keysAre(KERNEL_ORDER_SHAPES[shape] as readonly string[])) return shape;
  return -1;
}

/** The tolerant reading: every field wherever it is, the first occurrence winning, unknown fields skipped. */
function decodeAnyOrder(line: string, head: SeccompRecordHead): ViolationEvent | undefined {
  const enriched = readAnyOrder(lineSource.reset(line, head.bodyStart), fields);
  return enriched === undefined ? undefined : seccompEvent(head, fields, enriched.arch, enriched.syscall);
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

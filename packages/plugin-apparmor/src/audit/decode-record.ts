import { type AuditFields, type AuditFieldsResult, DECODE_AS_LINE, type ViolationEvent, type ViolationEventAction, profileNameFromLabel, violationEvent } from '@armorkit/core/audit';
import { fileFieldsAction, readFileFields } from './file-fields.js';
import { fileRecordAction, readFileRecord } from './file-record.js';
import { decodeHex, scanFields } from './scan-fields.js';

/** Fields AppArmor logs with audit_log_untrustedstring: hex when they hold spaces, quotes or control characters. */
const UNTRUSTED_STRING_FIELDS = new Set(['name', 'name2', 'comm', 'profile', 'peer', 'target', 'srcname', 'namespace', 'exe', 'label', 'peer_label', 'fstype']);

const ACTIONS: Record<string, ViolationEventAction> = { DENIED: 'DENIED', AUDIT: 'AUDIT', ALLOWED: 'ALLOWED' };

const NUMERIC_FIELDS = new Set(['pid', 'fsuid', 'ouid', 'capability', 'protocol', 'error', 'signal_number']);

/**
 * One AppArmor audit record (type=1400 / AVC) in any transport (kern.log, dmesg, journald, auditd raw or
 * enriched, audispd) → a ViolationEvent; undefined for anything else, including STATUS records. A file record in
 * the kernel's field order is read by position (file-record.ts); any other is scanned field by field.
 */
export function decodeAppArmorRecord(line: string): ViolationEvent | undefined {
  const at = line.indexOf('apparmor=');
  if (at < 0) return undefined;
  const head = line.slice(0, at);
  if (!(head.includes('1400') || head.includes('AVC') || head.includes('APPARMOR'))) return undefined;

  let event = readFileRecord(line, at);
  let action: ViolationEventAction | undefined = fileRecordAction;
  if (event === undefined) {
    event = {};
    action = scanRecord(line, at, event);
    if (!action) return undefined;
  }

  const stamp = auditStamp(head);
  if (stamp) {
    event.auditID = stamp.id;
    event.epoch = stamp.epoch;
  }
  const { profileName, childProfile } = profileOf(typeof event.profile === 'string' ? event.profile : undefined);
  if (childProfile !== undefined) event.childProfile = childProfile;
  const pid = typeof event.pid === 'number' && event.pid >= 0 && event.pid <= 0xffffffff ? event.pid : 0;
  const node = nodeName(head);
  return violationEvent({
    nodeName: node ?? '',
    pid,
    eventTimestamp: stamp?.epoch ?? 0,
    enforcer: 'AppArmor',
    action,
    profileName,
    event,
  });
}

/**
 * The same record already split into fields by the native scanner (a plain auditd line): the same event as
 * `decodeAppArmorRecord(fields.line())`; undefined when that gives none either; DECODE_AS_LINE when only the line
 * reading can tell (`apparmor=` somewhere other than first, a `subj` label with its mode). Its acceptance follows the
 * line decoder's: `apparmor=`, and `1400`, `AVC` or `APPARMOR` somewhere before it.
 */
export function decodeAppArmorFields(fields: AuditFields): AuditFieldsResult {
  const count = fields.count;
  if (count === 0) return undefined;
  // The line decoder takes the first `apparmor=` anywhere, even inside another field: only the line can say.
  if (fields.key(0) !== 'apparmor') return mayHoldAppArmorField(fields) ? DECODE_AS_LINE : undefined;
  const type = fields.type;
  const auditID = fields.auditID();
  const node = fields.nodeName;
  if (!(mentionsAppArmor(type) || mentionsAppArmor(node) || auditID.includes('1400'))) return undefined;

  let event = readFileFields(fields);
  let action: ViolationEventAction | typeof DECODE_AS_LINE | undefined = fileFieldsAction;
  if (event === undefined) {
    event = {};
    action = scanFieldsRecord(fields, event);
    if (action === DECODE_AS_LINE) return action;
  }
  if (!action) return undefined;

  // The scanner read the stamp's seconds (digits only, so always an integer, as auditStamp() requires).
  const epoch = fields.epoch;
  event.auditID = auditID;
  event.epoch = epoch;
  const { profileName, childProfile } = profileOf(typeof event.profile === 'string' ? event.profile : undefined);
  if (childProfile !== undefined) event.childProfile = childProfile;
  const pid = typeof event.pid === 'number' && event.pid >= 0 && event.pid <= 0xffffffff ? event.pid : 0;
  return violationEvent({
    nodeName: node,
    pid,
    eventTimestamp: epoch,
    enforcer: 'AppArmor',
    action,
    profileName,
    event,
  });
}

/** The tolerant reading of a record split into fields: as `scanRecord`, the first occurrence of a field winning. */
function scanFieldsRecord(fields: AuditFields, event: Record<string, unknown>): ViolationEventAction | typeof DECODE_AS_LINE | undefined {
  let action: ViolationEventAction | undefined;
  for (let i = 0, count = fields.count; i < count; i++) {
    const key = fields.key(i);
    // The line scanner reads `subj=label (mode)` as the label and a word it skips: leave such a line to it.
    if (fields.labelWords(i)) return DECODE_AS_LINE;
    if (key === 'apparmor') {
      action = ACTIONS[fields.text(i)];
      continue;
    }
    if (event[key] !== undefined) continue;
    const quoted = fields.quoted(i);
    let value: string | number;
    if (!quoted && UNTRUSTED_STRING_FIELDS.has(key)) {
      const raw = fields.text(i);
      value = decodeHex(raw) ?? raw;
    } else if (!quoted && NUMERIC_FIELDS.has(key)) {
      const raw = fields.text(i);
      value = fields.decimal(i) ?? (isInteger(raw) ? Number(raw) : raw);
    } else {
      value = fields.text(i);
    }
    event[key] = value;
  }
  return action;
}

/**
 * Whether `apparmor=` may be in the line of a record whose first key is another: inside a quoted value, or ending a
 * key (bare values, the type, node and stamp cannot hold `=`). Remembered per shape: a SECCOMP record costs a look-up.
 */
function mayHoldAppArmorField(fields: AuditFields): boolean {
  if (fields.quotedValueHoldsEquals) return fields.line().includes('apparmor=');
  if (fields.generation !== shapesGeneration) {
    shapesWithAppArmorKey.clear();
    shapesGeneration = fields.generation;
  }
  const shape = fields.shape;
  let known = shape < 0 ? undefined : shapesWithAppArmorKey.get(shape);
  if (known === undefined) {
    known = false;
    for (let i = 0; i < fields.count; i++) if (fields.key(i).endsWith('apparmor')) known = true;
    if (shape >= 0) shapesWithAppArmorKey.set(shape, known);
  }
  return known;
}

const shapesWithAppArmorKey = new Map<number, boolean>();
let shapesGeneration = -1;

const mentionsAppArmor = (text: string): boolean => text.includes('1400') || text.includes('AVC') || text.includes('APPARMOR');

/** The tolerant reading: every `key=value` from `apparmor=` on, wherever it is; the first occurrence of a field wins. */
function scanRecord(line: string, at: number, event: Record<string, unknown>): ViolationEventAction | undefined {
  let action: ViolationEventAction | undefined;
  scanFields(line, at, (key, raw, quoted) => {
    if (key === 'apparmor') {
      action = ACTIONS[raw];
      return;
    }
    let value: string | number = raw;
    if (!quoted && UNTRUSTED_STRING_FIELDS.has(key)) value = decodeHex(raw) ?? raw;
    else if (!quoted && NUMERIC_FIELDS.has(key) && isInteger(raw)) value = Number(raw);
    if (event[key] === undefined) event[key] = value;
  });
  return action;
}

function isInteger(text: string): boolean {
  const first = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (first === text.length) return false;
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

// A node has few profiles and logs the same labels over and over: remember what each label means.
const labels = new Map<string, ReturnType<typeof profileNameFromLabel>>();
function profileOf(label: string | undefined): ReturnType<typeof profileNameFromLabel> {
  if (label === undefined) return profileNameFromLabel(label);
  let known = labels.get(label);
  if (!known) {
    if (labels.size >= 4096) labels.clear();
    known = profileNameFromLabel(label);
    labels.set(label, known);
  }
  return known;
}

/** `audit(1644606171.438:80)` → epoch seconds and the event id shared by the records of one event. */
function auditStamp(head: string): { id: string; epoch: number } | undefined {
  const open = head.lastIndexOf('audit(');
  if (open < 0) return undefined;
  const close = head.indexOf(')', open);
  if (close < 0) return undefined;
  const id = head.slice(open + 6, close);
  const dot = id.indexOf('.');
  const epoch = Number(id.slice(0, dot < 0 ? id.indexOf(':') : dot));
  return Number.isInteger(epoch) && epoch >= 0 ? { id, epoch } : undefined;
}

/** audispd forwards records as `node=HOST type=...`. */
function nodeName(head: string): string | undefined {
  const at = head.indexOf('node=');
  if (at < 0) return undefined;
  const end = head.indexOf(' ', at);
  return head.slice(at + 5, end < 0 ? head.length : end) || undefined;
}

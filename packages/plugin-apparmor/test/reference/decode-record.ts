// The AppArmor decoder as it was before the positional fast path (commit f819080), kept verbatim as the oracle of
// test/audit-differential.test.ts. Do not optimise it. The field scanner it uses was the decoder's own until the decoder
// became a declaration read by core (issue 12); it is kept here, verbatim, beside it.
import { type ViolationEvent, type ViolationEventAction, profileNameFromLabel, violationEvent } from '@armorkit/core/audit';
import { decodeHex, scanFields } from './scan-fields.js';

/** Fields AppArmor logs with audit_log_untrustedstring: hex when they hold spaces, quotes or control characters. */
const UNTRUSTED_STRING_FIELDS = new Set(['name', 'name2', 'comm', 'profile', 'peer', 'target', 'srcname', 'namespace', 'exe', 'label', 'peer_label', 'fstype']);

const ACTIONS: Record<string, ViolationEventAction> = { DENIED: 'DENIED', AUDIT: 'AUDIT', ALLOWED: 'ALLOWED' };

const NUMERIC_FIELDS = new Set(['pid', 'fsuid', 'ouid', 'capability', 'protocol', 'error', 'signal_number']);

/**
 * One AppArmor audit record (type=1400 / AVC) in any transport (kern.log, dmesg, journald, auditd raw or
 * enriched, audispd) → a ViolationEvent; undefined for anything else, including STATUS records.
 */
export function decodeAppArmorRecord(line: string): ViolationEvent | undefined {
  const at = line.indexOf('apparmor=');
  if (at < 0) return undefined;
  const head = line.slice(0, at);
  if (!(head.includes('1400') || head.includes('AVC') || head.includes('APPARMOR'))) return undefined;

  const event: Record<string, unknown> = {};
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
  if (!action) return undefined;

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
    ...(node ? { nodeName: node } : {}),
    pid,
    eventTimestamp: stamp?.epoch ?? 0,
    enforcer: 'AppArmor',
    action,
    profileName,
    event,
  });
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

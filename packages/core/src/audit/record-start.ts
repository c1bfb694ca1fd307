// Where a record starts in a log line of any transport, and what its head says: the stamp `audit(SECONDS.MILLIS:SERIAL)`
// (the id the records of one event share) and audispd's `node=HOST`. The two subsystems we read are found two ways,
// each as its decoder always found it (the differential tests hold them to it).

import { COLON, SPACE } from './audit-bytes.js';
import { decimalValue } from './field-kinds.js';

/**
 * How a declaration finds its records in a line:
 * - `type`: by record type, which must come before the line's first `"` (so a file name or comm that reads
 *   `type=SECCOMP` in another record is never taken for one): `type=NAME audit(…):` (dmesg, kern.log), `type=NAME
 *   msg=audit(…):` (auditd, audispd), or journald's `audit[PID]: NAME …` for a named type (no stamp). The fields
 *   follow the stamp.
 * - `key`: by its first field, anywhere in the line (`apparmor=`), with one of `mentions` (the type as a number or
 *   a name: `1400`, `AVC`, `APPARMOR`) somewhere before it. The fields start at that key.
 */
export type RecordStart = { by: 'type'; types: readonly string[] } | { by: 'key'; key: string; mentions: readonly string[] };

/** Where a record's fields start in its line, and its head. */
export interface RecordHead {
  bodyStart: number;
  /** `SECONDS.MILLIS:SERIAL` from `audit(…)`; undefined when the transport drops the stamp (journald). */
  auditID: string | undefined;
  /** Unix seconds of the stamp; undefined without one (or, for `type` records, when its seconds are not a number). */
  epoch: number | undefined;
  /** audispd's `node=`; '' when absent. */
  nodeName: string;
}

/** The head of the record `start` finds in `line`, or undefined when the line holds none. */
export function locateRecord(start: RecordStart, line: string): RecordHead | undefined {
  return start.by === 'type' ? byType(start.types, line) : byKey(start.key, start.mentions, line);
}

function byType(types: readonly string[], line: string): RecordHead | undefined {
  const quote = line.indexOf('"');
  const headEnd = quote < 0 ? line.length : quote;
  const typeAt = line.indexOf('type=');
  if (typeAt >= 0 && typeAt < headEnd) {
    const type = types.find((name) => line.startsWith(name, typeAt + 5));
    const markerEnd = typeAt + 5 + (type?.length ?? 0);
    if (type === undefined || line.charCodeAt(markerEnd) !== SPACE) return undefined;
    return stamped(line, typeAt, markerEnd, headEnd);
  }
  for (const type of types) {
    if (isDigit(type.charCodeAt(0))) continue;
    const marker = line.indexOf(`${type} `);
    if (marker < 0 || marker >= headEnd || (marker > 0 && line.charCodeAt(marker - 1) !== SPACE)) continue;
    return { bodyStart: marker + type.length + 1, auditID: undefined, epoch: undefined, nodeName: '' };
  }
  return undefined;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function stamped(line: string, typeAt: number, markerEnd: number, headEnd: number): RecordHead {
  const nodeName = nodeNameBefore(line, typeAt);
  const open = line.indexOf('audit(', markerEnd);
  const close = open < 0 || open >= headEnd ? -1 : line.indexOf(')', open);
  if (close < 0 || close >= headEnd) return { bodyStart: markerEnd, auditID: undefined, epoch: undefined, nodeName };
  const auditID = line.slice(open + 6, close);
  const dot = auditID.indexOf('.');
  const epoch = decimalValue(auditID, 0, dot < 0 ? auditID.indexOf(':') : dot);
  return { bodyStart: line.charCodeAt(close + 1) === COLON ? close + 2 : close + 1, auditID, epoch, nodeName };
}

/** audispd forwards records as `node=HOST type=…`. */
function nodeNameBefore(line: string, typeAt: number): string {
  const at = line.lastIndexOf('node=', typeAt);
  if (at < 0) return '';
  const end = line.indexOf(' ', at);
  return line.slice(at + 5, end < 0 || end > typeAt ? typeAt : end).trim();
}

function byKey(key: string, mentions: readonly string[], line: string): RecordHead | undefined {
  const at = line.indexOf(`${key}=`);
  if (at < 0) return undefined;
  const head = line.slice(0, at);
  if (!mentions.some((mention) => head.includes(mention))) return undefined;
  const stamp = headStamp(head);
  return { bodyStart: at, auditID: stamp?.id, epoch: stamp?.epoch, nodeName: headNodeName(head) };
}

/** The last `audit(…)` before the record: its id and seconds, or undefined when its seconds are not an integer. */
function headStamp(head: string): { id: string; epoch: number } | undefined {
  const open = head.lastIndexOf('audit(');
  if (open < 0) return undefined;
  const close = head.indexOf(')', open);
  if (close < 0) return undefined;
  const id = head.slice(open + 6, close);
  const dot = id.indexOf('.');
  const epoch = Number(id.slice(0, dot < 0 ? id.indexOf(':') : dot));
  return Number.isInteger(epoch) && epoch >= 0 ? { id, epoch } : undefined;
}

function headNodeName(head: string): string {
  const at = head.indexOf('node=');
  if (at < 0) return '';
  const end = head.indexOf(' ', at);
  return head.slice(at + 5, end < 0 ? head.length : end);
}

/** True when `text` holds one of `mentions` (a record's type, node and stamp, split by the native scanner). */
export function mentionsAny(mentions: readonly string[], text: string): boolean {
  for (const mention of mentions) if (text.includes(mention)) return true;
  return false;
}

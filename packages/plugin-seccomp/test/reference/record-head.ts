import { SPACE } from './audit-bytes.js';
import { decimalValue } from './field-values.js';

/** Where a seccomp record's fields begin, and what its transport says about it. */
export interface SeccompRecordHead {
  bodyStart: number;
  /** `EPOCH.MILLIS:SERIAL` from `audit(…)`: the id the records of one event share; '' when the transport drops it. */
  auditID: string;
  /** Unix seconds from `audit(…)`; 0 when the transport drops the stamp (journald). */
  epoch: number;
  /** audispd's `node=` (the host that logged the record); '' when absent. */
  nodeName: string;
}

const COLON = 0x3a;

/**
 * Finds a seccomp record in a log line of any transport: `type=1326 audit(…):` (dmesg, kern.log, syslog, bare
 * `audit:`), `type=SECCOMP msg=audit(…):` (auditd, audispd `node=… type=…`), `SECCOMP ` (journald's
 * `audit[PID]: SECCOMP …`). The record type must come before the first quote, so a file name or comm that reads
 * `type=SECCOMP` in some other record is never taken for one. Undefined when the line holds no seccomp record.
 */
export function locateSeccompRecord(line: string): SeccompRecordHead | undefined {
  const quote = line.indexOf('"');
  const headEnd = quote < 0 ? line.length : quote;
  const typeAt = line.indexOf('type=');
  if (typeAt >= 0 && typeAt < headEnd) {
    const typeLength = line.startsWith('SECCOMP', typeAt + 5) ? 7 : line.startsWith('1326', typeAt + 5) ? 4 : 0;
    const markerEnd = typeAt + 5 + typeLength;
    if (typeLength === 0 || line.charCodeAt(markerEnd) !== SPACE) return undefined;
    return stamped(line, typeAt, markerEnd, headEnd);
  }
  const marker = line.indexOf('SECCOMP ');
  if (marker < 0 || marker >= headEnd || (marker > 0 && line.charCodeAt(marker - 1) !== SPACE)) return undefined;
  return { bodyStart: marker + 8, auditID: '', epoch: 0, nodeName: '' };
}

function stamped(line: string, typeAt: number, markerEnd: number, headEnd: number): SeccompRecordHead {
  const nodeName = nodeNameBefore(line, typeAt);
  const open = line.indexOf('audit(', markerEnd);
  const close = open < 0 || open >= headEnd ? -1 : line.indexOf(')', open);
  if (close < 0 || close >= headEnd) return { bodyStart: markerEnd, auditID: '', epoch: 0, nodeName };
  const auditID = line.slice(open + 6, close);
  const dot = auditID.indexOf('.');
  const epoch = decimalValue(auditID, 0, dot < 0 ? auditID.indexOf(':') : dot) ?? 0;
  return { bodyStart: line.charCodeAt(close + 1) === COLON ? close + 2 : close + 1, auditID, epoch, nodeName };
}

/** audispd forwards records as `node=HOST type=…`. */
function nodeNameBefore(line: string, typeAt: number): string {
  const at = line.lastIndexOf('node=', typeAt);
  if (at < 0) return '';
  const end = line.indexOf(' ', at);
  return line.slice(at + 5, end < 0 || end > typeAt ? typeAt : end).trim();
}

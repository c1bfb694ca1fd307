// Most AppArmor denials are file accesses, and the kernel writes their fields in one order (security/apparmor/lib.c
// aa_audit_msg, then file.c file_audit_cb): `apparmor="…" operation="…" [class="file"] profile="…" name="…" pid=N
// comm="…" requested_mask="…" denied_mask="…" fsuid=N ouid=N`, which auditd's ENRICHED format follows with
// 0x1d `FSUID="…" OUID="…"`. Reading such a record by position costs a comparison per key instead of a key
// look-up and a callback per field; any departure from that order (another class, namespace=, info=, a hex-encoded
// name, an extra or trailing field, a CR) makes the reader give up, and the caller scans the record field by field.

import type { ViolationEventAction } from '@armorkit/core/audit';

const GROUP_SEPARATOR = 0x1d;
const MAX_DECIMAL_DIGITS = 15;

/** Set by `readFileRecord` when it returns an event: the record's `apparmor=` action. */
export let fileRecordAction: ViolationEventAction = 'DENIED';

/** Where the last value read by `quotedAt` (its closing quote) or `decimalAt` ended. */
let valueEnd = 0;

/** The text up to the next quote from `start`, or undefined when the quote never comes. */
function quotedAt(line: string, start: number): string | undefined {
  const close = line.indexOf('"', start);
  if (close < 0) return undefined;
  valueEnd = close;
  return line.slice(start, close);
}

/** The unsigned decimal at `start` (1 to 15 digits, the decoder's Number() of them), or -1. */
function decimalAt(line: string, start: number): number {
  let value = 0;
  let i = start;
  for (let c = line.charCodeAt(i); c >= 0x30 && c <= 0x39; c = line.charCodeAt(++i)) value = value * 10 + (c - 0x30);
  valueEnd = i;
  return i === start || i - start > MAX_DECIMAL_DIGITS ? -1 : value;
}

/** `apparmor="X"` at `at`: the action, or undefined for STATUS and anything else the scanner should judge. */
function actionAt(line: string, at: number): ViolationEventAction | undefined {
  if (line.startsWith('apparmor="DENIED"', at)) {
    valueEnd = at + 16;
    return 'DENIED';
  }
  if (line.startsWith('apparmor="AUDIT"', at)) {
    valueEnd = at + 15;
    return 'AUDIT';
  }
  if (line.startsWith('apparmor="ALLOWED"', at)) {
    valueEnd = at + 17;
    return 'ALLOWED';
  }
  return undefined;
}

/**
 * The fields of a file record in the kernel's order, from `apparmor=` at `at` to the end of the line, as the field
 * scanner would give them (same values, same key order); undefined when the line is not exactly that.
 */
export function readFileRecord(line: string, at: number): Record<string, unknown> | undefined {
  const action = actionAt(line, at);
  if (action === undefined || !line.startsWith('" operation="', valueEnd)) return undefined;
  const operation = quotedAt(line, valueEnd + 13);
  if (operation === undefined) return undefined;
  let fileClass: string | undefined;
  if (line.startsWith('" class="', valueEnd)) {
    fileClass = quotedAt(line, valueEnd + 9);
    if (fileClass === undefined) return undefined;
  }
  if (!line.startsWith('" profile="', valueEnd)) return undefined;
  const profile = quotedAt(line, valueEnd + 11);
  if (profile === undefined || !line.startsWith('" name="', valueEnd)) return undefined;
  const name = quotedAt(line, valueEnd + 8);
  if (name === undefined || !line.startsWith('" pid=', valueEnd)) return undefined;
  const pid = decimalAt(line, valueEnd + 6);
  if (pid < 0 || !line.startsWith(' comm="', valueEnd)) return undefined;
  const comm = quotedAt(line, valueEnd + 7);
  if (comm === undefined || !line.startsWith('" requested_mask="', valueEnd)) return undefined;
  const requested = quotedAt(line, valueEnd + 18);
  if (requested === undefined || !line.startsWith('" denied_mask="', valueEnd)) return undefined;
  const denied = quotedAt(line, valueEnd + 15);
  if (denied === undefined || !line.startsWith('" fsuid=', valueEnd)) return undefined;
  const fsuid = decimalAt(line, valueEnd + 8);
  if (fsuid < 0 || !line.startsWith(' ouid=', valueEnd)) return undefined;
  const ouid = decimalAt(line, valueEnd + 6);
  if (ouid < 0) return undefined;
  let fsuidName: string | undefined;
  let ouidName: string | undefined;
  if (valueEnd < line.length) {
    // auditd ENRICHED: 0x1d FSUID="name" OUID="name", and nothing after.
    if (line.charCodeAt(valueEnd) !== GROUP_SEPARATOR || !line.startsWith('FSUID="', valueEnd + 1)) return undefined;
    fsuidName = quotedAt(line, valueEnd + 8);
    if (fsuidName === undefined || !line.startsWith('" OUID="', valueEnd)) return undefined;
    ouidName = quotedAt(line, valueEnd + 8);
    if (ouidName === undefined || valueEnd !== line.length - 1) return undefined;
  }
  fileRecordAction = action;
  const event: Record<string, unknown> =
    fileClass === undefined
      ? { operation, profile, name, pid, comm, requested_mask: requested, denied_mask: denied, fsuid, ouid }
      : { operation, class: fileClass, profile, name, pid, comm, requested_mask: requested, denied_mask: denied, fsuid, ouid };
  if (fsuidName !== undefined) {
    event.FSUID = fsuidName;
    event.OUID = ouidName;
  }
  return event;
}


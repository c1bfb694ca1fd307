// The kernel writes a seccomp record's fields in one order (kernel/auditsc.c audit_seccomp() after audit_log_task()):
// `auid= uid= gid= ses= [subj=] pid= comm="…" exe="…" sig= arch= syscall= compat= ip= code=`. Reading them in that
// order, by position, costs a few comparisons per field instead of a key look-up; any departure from the order (a
// missing, extra or renamed field, a hex-encoded comm, a glued ENRICHED key) makes the reader give up, and the caller
// falls back to the tolerant cursor, which reads every field wherever it is.

import { SPACE, QUOTE, EQUALS, OPEN_PAREN, CLOSE_PAREN, CARET, CLOSE_BRACKET, isBlank } from './audit-bytes.js';
import { SeccompFields } from './seccomp-fields.js';

const MAX_DECIMAL_DIGITS = 15;
const MAX_HEX_DIGITS = 8;

/** Where the last value read by `decimalAt` / `hexAt` / `quotedAt` ended (the quote itself for a quoted value). */
let valueEnd = 0;

/** The unsigned decimal starting at `start` (1 to 15 digits), or -1. */
function decimalAt(line: string, start: number): number {
  let value = 0;
  let i = start;
  for (let c = line.charCodeAt(i); c >= 0x30 && c <= 0x39; c = line.charCodeAt(++i)) value = value * 10 + (c - 0x30);
  valueEnd = i;
  return i === start || i - start > MAX_DECIMAL_DIGITS ? -1 : value;
}

/** The lower-case hex (1 to 8 digits, optional `0x`) starting at `start`, or -1. Upper case may be a glued ENRICHED key. */
function hexAt(line: string, start: number): number {
  if (line.charCodeAt(start) === 0x30 && line.charCodeAt(start + 1) === 0x78) start += 2;
  let value = 0;
  let i = start;
  for (;;) {
    const c = line.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) value = value * 16 + (c - 0x30);
    else if (c >= 0x61 && c <= 0x66) value = value * 16 + (c - 0x57);
    else break;
    i++;
  }
  valueEnd = i;
  return i === start || i - start > MAX_HEX_DIGITS ? -1 : value;
}

/** The text of a quoted value whose opening quote is just before `start`, or undefined when it is not closed. */
function quotedAt(line: string, start: number): string | undefined {
  const close = line.indexOf('"', start);
  if (close < 0) return undefined;
  valueEnd = close;
  return line.slice(start, close);
}

/** The end of a bare value from `start`: a blank, `=` (a glued key: give up, -1) or `^]`, as the cursor ends it. */
function bareEnd(line: string, start: number): number {
  const end = line.length;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (isBlank(c) || (c === CARET && line.charCodeAt(i + 1) === CLOSE_BRACKET)) return i;
    if (c === EQUALS) return -1;
  }
  return end;
}

/** A label's end: AppArmor prints `subj=profile (enforce)`; the cursor takes the `(mode)` words with it (FieldCursor.labelEnd). */
function labelEnd(line: string, from: number): number {
  const end = line.length;
  let valueEnd = from;
  let i = from;
  while (i < end && line.charCodeAt(i) === SPACE) {
    let j = i + 1;
    if (line.charCodeAt(j) !== OPEN_PAREN) break;
    while (j < end && !isBlank(line.charCodeAt(j)) && line.charCodeAt(j) !== EQUALS) j++;
    if (line.charCodeAt(j - 1) !== CLOSE_PAREN || line.charCodeAt(j) === EQUALS) break;
    valueEnd = j;
    i = j;
  }
  return valueEnd;
}

/**
 * Reads the fields of a record in the kernel's order from `bodyStart` into `fields`. False when the record departs
 * from that order, or when something after `code=` could still matter to the tolerant reading (a `subj=` the fixed part
 * lacked, ENRICHED names for an ABI our tables do not know): the caller then reads the record with the cursor.
 */
export function readFixedOrder(line: string, bodyStart: number, fields: SeccompFields): boolean {
  let i = line.charCodeAt(bodyStart) === SPACE ? bodyStart + 1 : bodyStart;
  if (!line.startsWith('auid=', i)) return false;
  const auid = decimalAt(line, i + 5);
  if (auid < 0 || !line.startsWith(' uid=', valueEnd)) return false;
  const uid = decimalAt(line, valueEnd + 5);
  if (uid < 0 || !line.startsWith(' gid=', valueEnd)) return false;
  const gid = decimalAt(line, valueEnd + 5);
  if (gid < 0 || !line.startsWith(' ses=', valueEnd)) return false;
  const ses = decimalAt(line, valueEnd + 5);
  if (ses < 0) return false;
  i = valueEnd;
  let subj: string | undefined;
  if (line.startsWith(' subj=', i)) {
    const start = i + 6;
    const labelStart = line.charCodeAt(start) === EQUALS ? start + 1 : start;
    if (line.charCodeAt(labelStart) === QUOTE) return false;
    const end = bareEnd(line, labelStart);
    if (end < 0) return false;
    i = labelEnd(line, end);
    subj = line.slice(start, i);
  }
  if (!line.startsWith(' pid=', i)) return false;
  const pid = decimalAt(line, i + 5);
  if (pid < 0 || !line.startsWith(' comm="', valueEnd)) return false;
  const comm = quotedAt(line, valueEnd + 7);
  if (comm === undefined || !line.startsWith('" exe="', valueEnd)) return false;
  const exe = quotedAt(line, valueEnd + 7);
  if (exe === undefined || !line.startsWith('" sig=', valueEnd)) return false;
  const sig = decimalAt(line, valueEnd + 6);
  if (sig < 0 || !line.startsWith(' arch=', valueEnd)) return false;
  const arch = hexAt(line, valueEnd + 6);
  if (arch < 0 || !line.startsWith(' syscall=', valueEnd)) return false;
  const syscallNumber = decimalAt(line, valueEnd + 9);
  if (syscallNumber < 0 || !line.startsWith(' compat=', valueEnd)) return false;
  const compat = decimalAt(line, valueEnd + 8);
  if (compat < 0 || !line.startsWith(' ip=', valueEnd)) return false;
  const ipStart = valueEnd + 4;
  const ipEnd = bareEnd(line, ipStart);
  if (ipEnd < 0 || !line.startsWith(' code=', ipEnd)) return false;
  const codeStart = ipEnd + 6;
  const code = hexAt(line, codeStart);
  if (code < 0) return false;
  const codeEnd = valueEnd;
  if (codeEnd < line.length) {
    // The cursor ends `code=` at a blank or `^]`; fields after it matter only for what the fixed part lacked.
    const c = line.charCodeAt(codeEnd);
    if (!(isBlank(c) || (c === CARET && line.charCodeAt(codeEnd + 1) === CLOSE_BRACKET))) return false;
    if (subj === undefined || !fields.namesKnown(arch, syscallNumber)) return false;
  }
  fields.set(auid, uid, gid, ses, subj, pid, comm, exe, sig, arch, syscallNumber, compat, line.slice(ipStart, ipEnd), code, line.slice(codeStart, codeEnd));
  return true;
}

// The file record of file-record.ts, read from a record the native scanner already split into fields: when the keys
// are the kernel's order (with or without class=, with or without auditd's ENRICHED FSUID= OUID=), each value is
// taken by position, and the event object is built in one literal. Same event, same key order, as the line readers.

import type { AuditFields, ViolationEventAction } from '@armorkit/core/audit';

const FILE_KEYS = ['apparmor', 'operation', 'class', 'profile', 'name', 'pid', 'comm', 'requested_mask', 'denied_mask', 'fsuid', 'ouid'];
const WITHOUT_CLASS = FILE_KEYS.filter((key) => key !== 'class');
const SHAPES: readonly (readonly string[])[] = [
  [...FILE_KEYS, 'FSUID', 'OUID'],
  FILE_KEYS,
  [...WITHOUT_CLASS, 'FSUID', 'OUID'],
  WITHOUT_CLASS,
];
const QUOTED_ACTIONS: Record<string, ViolationEventAction> = { DENIED: 'DENIED', AUDIT: 'AUDIT', ALLOWED: 'ALLOWED' };

/** Set by `readFileFields` when it returns an event: the record's `apparmor=` action. */
export let fileFieldsAction: ViolationEventAction = 'DENIED';

/** The event fields of a file record in the kernel's order, or undefined when `fields` is not exactly one. */
export function readFileFields(fields: AuditFields): Record<string, unknown> | undefined {
  let shape = 0;
  while (shape < SHAPES.length && !fields.keysAre(SHAPES[shape] as readonly string[])) shape++;
  if (shape === SHAPES.length) return undefined;
  const withClass = shape < 2;
  const enriched = shape % 2 === 0;
  const count = fields.count;
  // Quoted texts and unquoted decimals where the kernel writes them; anything else is the field scanner's to judge.
  const decimals = withClass ? [5, 9, 10] : [4, 8, 9];
  for (let i = 0; i < count; i++) {
    const decimal = i === decimals[0] || i === decimals[1] || i === decimals[2];
    if (decimal ? fields.quoted(i) || fields.decimal(i) === undefined : !fields.quoted(i)) return undefined;
  }
  const action = QUOTED_ACTIONS[fields.text(0)];
  if (action === undefined) return undefined;
  fileFieldsAction = action;
  const c = withClass ? 1 : 0;
  const event: Record<string, unknown> = withClass
    ? {
        operation: fields.text(1),
        class: fields.text(2),
        profile: fields.text(3),
        name: fields.text(4),
        pid: fields.decimal(5),
        comm: fields.text(6),
        requested_mask: fields.text(7),
        denied_mask: fields.text(8),
        fsuid: fields.decimal(9),
        ouid: fields.decimal(10),
      }
    : {
        operation: fields.text(1),
        profile: fields.text(2),
        name: fields.text(3),
        pid: fields.decimal(4),
        comm: fields.text(5),
        requested_mask: fields.text(6),
        denied_mask: fields.text(7),
        fsuid: fields.decimal(8),
        ouid: fields.decimal(9),
      };
  if (enriched) {
    event.FSUID = fields.text(10 + c);
    event.OUID = fields.text(11 + c);
  }
  return event;
}

import type { Cursor } from './cursor.js';

export interface Prefix {
  audit: boolean;
  deny: boolean;
  owner: boolean;
}

const ORDER = ['audit', 'allow', 'deny', 'owner'] as const;

/** `[audit] [allow|deny] [owner]`, in that order. */
export function readPrefix(cursor: Cursor): Prefix {
  const prefix: Prefix = { audit: false, deny: false, owner: false };
  let order = 0;
  for (;;) {
    const token = cursor.peek();
    const position = token?.kind === 'word' ? ORDER.indexOf(token.text as (typeof ORDER)[number]) : -1;
    if (!token || position < 0) return prefix;
    if (position < order || (token.text === 'deny' && order === 2) || (token.text === 'allow' && prefix.deny)) {
      cursor.fail(`qualifiers go in the order audit, allow or deny, owner (found "${token.text}" out of place)`, token);
    }
    order = token.text === 'allow' ? 3 : position + 1;
    if (token.text === 'audit') prefix.audit = true;
    if (token.text === 'deny') prefix.deny = true;
    if (token.text === 'owner') prefix.owner = true;
    cursor.next();
  }
}

/** For rules `owner` does not apply to. */
export function refuseOwner(cursor: Cursor, prefix: Prefix, rule: string): void {
  if (prefix.owner) cursor.fail(`"owner" does not apply to ${rule} rules`);
}

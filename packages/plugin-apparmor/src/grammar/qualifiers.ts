import type { Cursor } from './cursor.js';

export interface Prefix {
  audit: boolean;
  deny: boolean;
  owner: boolean;
  /** The file's owner is not the caller (apparmor_parser 3.0 knows it; KubeArmor's ownerOnly rules use it). */
  other: boolean;
}

const ORDER = ['audit', 'allow', 'deny', 'owner', 'other'] as const;

/** `[audit] [allow|deny] [owner|other]`, in that order. */
export function readPrefix(cursor: Cursor): Prefix {
  const prefix: Prefix = { audit: false, deny: false, owner: false, other: false };
  let order = 0;
  for (;;) {
    const token = cursor.peek();
    const found = token?.kind === 'word' ? ORDER.indexOf(token.text as (typeof ORDER)[number]) : -1;
    if (!token || found < 0) return prefix;
    // owner and other take the same place, one of them.
    const position = Math.min(found, 3);
    if (position < order || (token.text === 'deny' && order === 2) || (token.text === 'allow' && prefix.deny)) {
      cursor.fail(`qualifiers go in the order audit, allow or deny, owner or other (found "${token.text}" out of place)`, token);
    }
    order = token.text === 'allow' ? 3 : position + 1;
    if (token.text === 'audit') prefix.audit = true;
    if (token.text === 'deny') prefix.deny = true;
    if (token.text === 'owner') prefix.owner = true;
    if (token.text === 'other') prefix.other = true;
    cursor.next();
  }
}

/** For rules `owner` does not apply to. */
export function refuseOwner(cursor: Cursor, prefix: Prefix, rule: string): void {
  if (prefix.owner) cursor.fail(`"owner" does not apply to ${rule} rules`);
  if (prefix.other) cursor.fail(`"other" does not apply to ${rule} rules`);
}

import { type Cursor, describeToken } from './cursor.js';
import { sortedUnique } from './conditions.js';
import { type Prefix, refuseOwner } from './qualifiers.js';
import type { CapabilityRule, Position } from './tree.js';
import { CAPABILITIES } from './vocabulary.js';

/** `capability [NAME …]`, names from the kernel's list. */
export function readCapabilityRule(cursor: Cursor, prefix: Prefix, at: Position): CapabilityRule {
  refuseOwner(cursor, prefix, 'capability');
  cursor.next();
  const names: string[] = [];
  while (!cursor.done()) {
    const token = cursor.next();
    if (token?.kind !== 'word' || !CAPABILITIES.has(token.text)) {
      cursor.fail(`${token ? describeToken(token) : 'nothing'} is not a capability name (chown, net_admin, sys_admin, …)`, token);
    }
    names.push(token.text);
  }
  return { kind: 'capability', ...at, audit: prefix.audit, deny: prefix.deny, names: sortedUnique(names) };
}

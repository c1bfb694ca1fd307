import { readCapabilityRule } from './capability-rule.js';
import { Cursor } from './cursor.js';
import { readDeniedChangeProfile, readDeniedPivotRoot } from './denied-transitions.js';
import { isPathToken, isPermissionsToken, readFileRule, readLinkRule } from './file-rules.js';
import type { Token } from './lexer.js';
import { readMountRule } from './mount-rule.js';
import { readNetworkRule } from './network-rule.js';
import { readDbusRule, readPtraceRule, readSignalRule, readUnixRule } from './peer-rules.js';
import { readPrefix } from './qualifiers.js';
import type { Position, RawStatement } from './tree.js';

/** Keywords that would change the profile set, leave the profile, or apply beyond it: refused with the reason. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['profile', 'a rule cannot declare a profile'],
  ['hat', 'a rule cannot declare a hat'],
  ['change_hat', 'a rule cannot change hats (change_hat)'],
  ['abi', 'the ABI is set by the profile, not by a rule'],
  ['alias', 'path aliases apply to the whole profile set; a rule cannot declare one'],
  ['set', 'rlimits and other "set" statements (set rlimit) are not allowed'],
  ['rlimit', 'rlimits are not allowed'],
  ['if', 'conditionals are not allowed'],
  ['include', 'an include must be on a line of its own, as "include <abstractions/NAME>"'],
  ['rewrite', '"rewrite" is not allowed'],
]);

/** AppArmor 4 words the installed apparmor_parser (3.0) does not know. */
const APPARMOR_4 = new Set(['prompt', 'priority', 'quiet', 'kill', 'complain', 'userns', 'io_uring', 'mqueue', 'all']);

/** One statement's tokens (its comma excluded) → the typed statement; throws GrammarError at the token at fault. */
export function readStatement(tokens: readonly Token[], end: Position): RawStatement {
  const cursor: Cursor = new Cursor(tokens, end);
  const first = tokens[0] as Token;
  const at = { line: first.line, column: first.column };
  if (first.kind === 'word' && first.text.startsWith('@') && tokens.some((t) => t.kind === 'equals')) cursor.fail('variable assignments are not allowed', first);
  if (first.kind === 'word' && first.text.startsWith('^')) cursor.fail('a rule cannot declare a hat', first);
  const prefix = readPrefix(cursor);
  const head = cursor.peek();
  if (!head) cursor.fail('a rule needs more than qualifiers');
  if (isPathToken(head) || (isPermissionsToken(head) && isPathToken(cursor.peek(1)))) return readFileRule(cursor, prefix, at);
  if (head.kind !== 'word') cursor.fail(`${head.kind === 'quoted' ? `"${head.text}"` : JSON.stringify(head.text)} cannot start a rule`, head);
  const keyword = head.text;
  if (cursor.peek(1)?.kind === 'equals') {
    cursor.fail(keyword === 'priority' ? 'rule priorities (priority=) are AppArmor 4 syntax; apparmor_parser 3.0 does not know them' : `"${keyword}=" cannot start a rule`, head);
  }
  switch (keyword) {
    case 'file':
      return readFileRule(cursor, prefix, at);
    case 'link':
      return readLinkRule(cursor, prefix, at);
    case 'capability':
      return readCapabilityRule(cursor, prefix, at);
    case 'network':
      return readNetworkRule(cursor, prefix, at);
    case 'mount':
    case 'remount':
    case 'umount':
      return readMountRule(cursor, prefix, at);
    case 'signal':
      return readSignalRule(cursor, prefix, at);
    case 'ptrace':
      return readPtraceRule(cursor, prefix, at);
    case 'unix':
      return readUnixRule(cursor, prefix, at);
    case 'dbus':
      return readDbusRule(cursor, prefix, at);
    case 'change_profile':
      return readDeniedChangeProfile(cursor, prefix, at);
    case 'pivot_root':
      return readDeniedPivotRoot(cursor, prefix, at);
  }
  const refusal = REFUSED.get(keyword);
  if (refusal) cursor.fail(refusal, head);
  if (APPARMOR_4.has(keyword)) cursor.fail(`"${keyword}" is AppArmor 4 syntax or not allowed; apparmor_parser 3.0 does not accept it`, head);
  cursor.fail(`"${keyword}" is not an allowed rule`, head);
}

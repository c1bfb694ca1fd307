import { atCondition, readCondition } from './conditions.js';
import type { Cursor } from './cursor.js';
import { isPathToken, readPath } from './file-rules.js';
import { type Prefix, refuseOwner } from './qualifiers.js';
import type { DeniedChangeProfile, DeniedPivotRoot, Position } from './tree.js';
import { labelProblem, pathProblem } from './values.js';

// change_profile and pivot_root can move a task to another profile; only their denial is a rule a policy may add.

/** `-> PROFILE`, with a blank on each side (glued, apparmor_parser reads `->x` as a name in change_profile). */
function readTarget(cursor: Cursor, rule: string): string | undefined {
  const arrow = cursor.peek();
  if (arrow?.kind !== 'arrow') return undefined;
  cursor.next();
  const target = cursor.peek();
  if (!arrow.spaced || !target?.spaced) cursor.fail(`write "->" with a blank on each side in a ${rule} rule`, arrow);
  const { text, token } = cursor.value(`the profile after "->"`);
  const problem = labelProblem(text, `${rule} ->`);
  if (problem) cursor.fail(problem, token);
  return text;
}

export function readDeniedChangeProfile(cursor: Cursor, prefix: Prefix, at: Position): DeniedChangeProfile {
  refuseOwner(cursor, prefix, 'change_profile');
  if (!prefix.deny) cursor.fail('change_profile (moving to another profile) is only allowed as "deny change_profile"');
  cursor.next();
  const rule: DeniedChangeProfile = { kind: 'change_profile', ...at, audit: prefix.audit };
  if (isPathToken(cursor.peek())) rule.exec = readPath(cursor, 'change_profile');
  const target = readTarget(cursor, 'change_profile');
  if (target) rule.target = target;
  cursor.finish('a deny change_profile rule ("deny change_profile [EXEC] [-> PROFILE]")');
  return rule;
}

export function readDeniedPivotRoot(cursor: Cursor, prefix: Prefix, at: Position): DeniedPivotRoot {
  refuseOwner(cursor, prefix, 'pivot_root');
  if (!prefix.deny) cursor.fail('pivot_root is only allowed as "deny pivot_root" (its "->" names a profile to change to)');
  cursor.next();
  const rule: DeniedPivotRoot = { kind: 'pivot_root', ...at, audit: prefix.audit };
  if (atCondition(cursor)) {
    const condition = readCondition(cursor);
    const [value] = condition.values;
    if (condition.key !== 'oldroot' || condition.operator !== '=' || condition.list || !value) cursor.fail('pivot_root takes one condition, oldroot=PATH', condition.keyToken);
    const problem = pathProblem(value.text);
    if (problem) cursor.fail(problem, value.token);
    rule.oldRoot = value.text;
  }
  if (isPathToken(cursor.peek())) rule.newRoot = readPath(cursor, 'pivot_root');
  const target = readTarget(cursor, 'pivot_root');
  if (target) rule.target = target;
  cursor.finish('a deny pivot_root rule ("deny pivot_root [oldroot=PATH] [NEWROOT] [-> PROFILE]")');
  return rule;
}

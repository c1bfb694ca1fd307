import { type Condition, atCondition, readCondition, sortedUnique } from './conditions.js';
import type { Cursor } from './cursor.js';
import { isPathToken, readPath } from './file-rules.js';
import { type Prefix, refuseOwner } from './qualifiers.js';
import type { MountCondition, MountRule, Position } from './tree.js';
import { nameProblem, pathProblem } from './values.js';
import { MOUNT_OPTIONS } from './vocabulary.js';

/** Options that bind, move or change propagation: no file system type applies. */
const MOVING_OPTIONS = /^(?:r?bind|move|(?:make-)?r?(?:unbindable|private|slave|shared))$/;
const PROPAGATION_OPTIONS = /^(?:make-)?r?(?:unbindable|private|slave|shared)$/;

/**
 * `mount [fstype=…] [options=…] [SOURCE] [-> MOUNTPOINT]`, `remount [conditions] [MOUNTPOINT]`,
 * `umount [conditions] [MOUNTPOINT]`. The `->` names a mount point, never a profile.
 */
export function readMountRule(cursor: Cursor, prefix: Prefix, at: Position): MountRule {
  refuseOwner(cursor, prefix, 'mount');
  const operation = cursor.next()?.text as MountRule['operation'];
  const rule: MountRule = { kind: 'mount', ...at, audit: prefix.audit, deny: prefix.deny, operation };
  while (atCondition(cursor)) {
    const condition = readCondition(cursor);
    if (condition.key !== 'fstype' && condition.key !== 'options') cursor.fail(`"${condition.key}" is not a mount condition (fstype, options)`, condition.keyToken);
    if (rule[condition.key]) cursor.fail(`"${condition.key}" is given twice`, condition.keyToken);
    // apparmor_parser accepts "remount fstype=…" but then fails to build the policy.
    if (operation === 'remount' && condition.key === 'fstype') cursor.fail('a remount rule takes no fstype (apparmor_parser cannot compile it)', condition.keyToken);
    rule[condition.key] = mountCondition(cursor, condition);
  }
  // A bind, move or propagation change takes no file system type; apparmor_parser fails to build such a rule.
  const moving = rule.options?.values.find((option) => MOVING_OPTIONS.test(option));
  if (rule.fstype && moving) cursor.fail(`fstype= does not go with the mount option ${moving}`, at);
  const next = cursor.peek();
  if (operation === 'mount' && next && next.kind !== 'arrow') {
    // A propagation change (private, shared, …) applies to a mount point only; apparmor_parser cannot encode a source.
    const propagation = rule.options?.values.find((option) => PROPAGATION_OPTIONS.test(option));
    if (propagation) cursor.fail(`the mount option ${propagation} takes no source, only "-> MOUNTPOINT"`, next);
    cursor.next();
    const problem = isPathToken(next) ? pathProblem(next.text) : nameProblem(next.text, 'mount source (a path or a device name such as proc, tmpfs, none)');
    if (problem) cursor.fail(problem, next);
    rule.source = next.text;
  }
  const arrow = cursor.peek();
  if (operation === 'mount' && arrow?.kind === 'arrow') {
    cursor.next();
    if (!cursor.peek()?.spaced || !arrow.spaced) cursor.fail('write "->" with a blank on each side in a mount rule', arrow);
    rule.mountpoint = readPath(cursor, 'a mount rule\'s "->"');
  } else if (operation !== 'mount' && cursor.peek()) {
    rule.mountpoint = readPath(cursor, `a ${operation} rule's mount point`);
  }
  if (cursor.peek()?.kind === 'arrow') cursor.fail(`a ${operation} rule takes no "->" here (its mount point is a path, never a profile)`);
  cursor.finish(`a ${operation} rule`);
  return rule;
}

function mountCondition(cursor: Cursor, condition: Condition): MountCondition {
  for (const value of condition.values) {
    const problem = condition.key === 'options'
      ? MOUNT_OPTIONS.has(value.text) ? undefined : `"${value.text}" is not a mount option (ro, rw, bind, nosuid, …)`
      : nameProblem(value.text, 'file system type');
    if (problem) cursor.fail(problem, value.token);
  }
  return { operator: condition.operator, values: sortedUnique(condition.values.map((v) => v.text)) };
}

import { policyError, type PolicyError } from '@armorkit/core';
import { uint64Value, type LinuxSeccomp, type SeccompOperator } from '@armorkit/core/schema';
import { actionPrecedence, actionValue, EPERM, takesErrno } from '../actions.js';
import type { FilterArch } from '../arch.js';
import { isKnownSyscallName, suggestSyscall, syscallNumber } from '../syscalls/lookup.js';

const U64_MAX = 0xffffffffffffffffn;

/**
 * One argument test of a rule, as libseccomp sees it. MASKED_EQ is `(arg & mask) == (valueTwo & mask)`: libseccomp
 * masks the datum too, so bits of valueTwo outside the mask are ignored rather than making the test impossible.
 */
export interface ArgumentCondition {
  index: number;
  op: SeccompOperator;
  value: bigint;
  /** MASKED_EQ only. */
  mask: bigint;
}

/** A rule after runc's rewriting: matches when every condition holds (no conditions: always). */
export interface ResolvedRule {
  action: number;
  conditions: ArgumentCondition[];
}

/** What the filter must decide for one system call number. */
export interface SyscallVerdict {
  nr: number;
  /** Rules by decreasing restrictiveness; the first that matches decides. Empty never happens. */
  rules: ResolvedRule[];
}

/** A profile entry that names a system call of another ABI: portable, so skipped rather than refused. */
export interface SkippedSyscall {
  name: string;
  pointer: string;
  reason: 'not-on-this-arch';
}

export interface ResolvedProfile {
  defaultAction: number;
  verdicts: SyscallVerdict[];
  skipped: SkippedSyscall[];
  errors: PolicyError[];
}

/**
 * Turns an OCI profile into per-syscall rule lists for `arch`: names resolved (unknown names are errors with a
 * suggestion; names of other ABIs are skipped), rules equal to the default action dropped and repeated argument
 * indices split into single-condition rules, both as runc does; conditions that can never or always hold folded.
 */
export function resolveProfile(profile: LinuxSeccomp, arch: FilterArch): ResolvedProfile {
  const errors: PolicyError[] = [];
  const skipped: SkippedSyscall[] = [];
  if (profile.defaultAction === 'SCMP_ACT_NOTIFY') {
    errors.push(policyError('seccomp/notify-default', '/defaultAction', 'SCMP_ACT_NOTIFY cannot be the default action (runc refuses it)'));
  }
  checkErrno(profile.defaultAction, profile.defaultErrnoRet, '/defaultErrnoRet', errors);
  const defaultAction = actionValue(profile.defaultAction, profile.defaultErrnoRet ?? EPERM);
  const rulesByNr = new Map<number, ResolvedRule[]>();

  (profile.syscalls ?? []).forEach((syscall, entry) => {
    const base = `/syscalls/${entry}`;
    checkErrno(syscall.action, syscall.errnoRet, `${base}/errnoRet`, errors);
    const action = actionValue(syscall.action, syscall.errnoRet ?? EPERM);
    const conditionSets = splitLikeRunc(
      (syscall.args ?? []).map((arg) => ({
        index: arg.index,
        op: arg.op,
        value: arg.op === 'SCMP_CMP_MASKED_EQ' ? uint64Value(arg.valueTwo ?? 0) & uint64Value(arg.value) : uint64Value(arg.value),
        mask: arg.op === 'SCMP_CMP_MASKED_EQ' ? uint64Value(arg.value) : U64_MAX,
      })),
    );
    syscall.names.forEach((name, position) => {
      const pointer = `${base}/names/${position}`;
      if (syscall.action === 'SCMP_ACT_NOTIFY' && name === 'write') {
        errors.push(policyError('seccomp/notify-write', pointer, 'SCMP_ACT_NOTIFY on write would deadlock the notifier (runc refuses it)'));
        return;
      }
      const nr = syscallNumber(arch, name);
      if (nr === undefined) {
        if (isKnownSyscallName(name)) {
          skipped.push({ name, pointer, reason: 'not-on-this-arch' });
          return;
        }
        const suggestions = suggestSyscall(name);
        const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '';
        errors.push(policyError('seccomp/unknown-syscall', pointer, `unknown system call "${name}"${hint}`, name));
        return;
      }
      // runc drops rules whose action is the default action (libseccomp would refuse them).
      if (action === defaultAction) return;
      const rules = rulesByNr.get(nr) ?? [];
      for (const conditions of conditionSets) {
        const folded = foldConditions(conditions);
        if (folded !== 'never') rules.push({ action, conditions: folded });
      }
      rulesByNr.set(nr, rules);
    });
  });

  const verdicts: SyscallVerdict[] = [];
  for (const [nr, rules] of [...rulesByNr].sort((a, b) => a[0] - b[0])) {
    if (rules.length === 0) continue;
    verdicts.push({ nr, rules: orderRules(rules) });
  }
  return { defaultAction, verdicts, skipped, errors };
}

function checkErrno(action: LinuxSeccomp['defaultAction'], errno: number | undefined, pointer: string, errors: PolicyError[]): void {
  if (errno === undefined) return;
  if (!takesErrno(action)) {
    errors.push(policyError('seccomp/errno-not-supported', pointer, `${action} does not return an errno; remove errnoRet`, errno));
  } else if (errno > 0xffff) {
    errors.push(policyError('seccomp/errno-out-of-range', pointer, 'errnoRet must fit in 16 bits (SECCOMP_RET_DATA)', errno));
  }
}

/**
 * runc's rule: when an argument index repeats within one entry, every condition becomes a rule of its own (all of them
 * OR-ed, even those on other indices); otherwise the conditions form one rule (AND-ed).
 */
function splitLikeRunc(conditions: ArgumentCondition[]): ArgumentCondition[][] {
  const indices = new Set(conditions.map((c) => c.index));
  return indices.size === conditions.length ? [conditions] : conditions.map((c) => [c]);
}

/** Drops conditions that always hold; 'never' when one can never hold. */
function foldConditions(conditions: ArgumentCondition[]): ArgumentCondition[] | 'never' {
  const kept: ArgumentCondition[] = [];
  for (const condition of conditions) {
    const constant = constantOutcome(condition);
    if (constant === false) return 'never';
    if (constant === undefined) kept.push(condition);
  }
  return kept.sort((a, b) => a.index - b.index);
}

function constantOutcome({ op, value, mask }: ArgumentCondition): boolean | undefined {
  switch (op) {
    case 'SCMP_CMP_GE':
      return value === 0n ? true : undefined;
    case 'SCMP_CMP_GT':
      return value === U64_MAX ? false : undefined;
    case 'SCMP_CMP_LT':
      return value === 0n ? false : undefined;
    case 'SCMP_CMP_LE':
      return value === U64_MAX ? true : undefined;
    case 'SCMP_CMP_MASKED_EQ':
      return mask === 0n ? true : undefined;
    default:
      return undefined;
  }
}

/**
 * Most restrictive first, so the first matching rule is the kernel's answer for overlapping rules; an unconditional
 * rule ends the list (nothing after it can be reached). Ties keep profile order for stable output.
 */
function orderRules(rules: ResolvedRule[]): ResolvedRule[] {
  const ordered = rules
    .map((rule, position) => ({ rule, position }))
    .sort((a, b) => actionPrecedence(b.rule.action) - actionPrecedence(a.rule.action) || a.position - b.position)
    .map(({ rule }) => rule);
  const unconditional = ordered.findIndex((rule) => rule.conditions.length === 0);
  return unconditional === -1 ? ordered : ordered.slice(0, unconditional + 1);
}

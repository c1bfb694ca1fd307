import type { DecidingRule } from './facts.js';

/**
 * What the rules that match one connection or request say, before the default action: the first deny and the first
 * allow in evaluation order, the first allow carrying `audit`, and whether any matching rule carries `audit` (vArmor's
 * shadow rules log a request whichever rule decides it). Every field is always set, so that all outcomes share one
 * shape and the decider's reads of them stay fast.
 */
export interface Outcome {
  readonly deny: DecidingRule | undefined;
  readonly allow: DecidingRule | undefined;
  readonly auditAllow: DecidingRule | undefined;
  readonly audited: boolean;
  /** An allow rule matched that does not depend on a name the client sent (an L4 rule, host `*`, no hosts). */
  readonly allowWithoutName: boolean;
}

function outcome(deny: DecidingRule | undefined, allow: DecidingRule | undefined, auditAllow: DecidingRule | undefined, audited: boolean, allowWithoutName: boolean): Outcome {
  return { deny, allow, auditAllow, audited, allowWithoutName };
}

/** No rule matched. */
export const NO_MATCH: Outcome = outcome(undefined, undefined, undefined, false, false);

/** A rule as the matchers see it: what it does and how it is reported. */
export interface RuleVerdict {
  action: 'allow' | 'deny';
  audit: boolean;
  ref: DecidingRule;
}

/** Adds one matching rule (taken in evaluation order) to an outcome. */
export function addMatch(before: Outcome, rule: RuleVerdict, byName: boolean): Outcome {
  const audited = before.audited || rule.audit;
  if (rule.action === 'deny') return outcome(before.deny ?? rule.ref, before.allow, before.auditAllow, audited, before.allowWithoutName);
  return outcome(before.deny, before.allow ?? rule.ref, before.auditAllow ?? (rule.audit ? rule.ref : undefined), audited, before.allowWithoutName || !byName);
}

/** The outcome of two rule sets together, `first`'s rules coming first in evaluation order. */
export function mergeOutcomes(first: Outcome, second: Outcome): Outcome {
  if (second === NO_MATCH) return first;
  if (first === NO_MATCH) return second;
  return outcome(
    first.deny ?? second.deny,
    first.allow ?? second.allow,
    first.auditAllow ?? second.auditAllow,
    first.audited || second.audited,
    first.allowWithoutName || second.allowWithoutName,
  );
}

export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.deny === b.deny && a.allow === b.allow && a.auditAllow === b.auditAllow && a.audited === b.audited && a.allowWithoutName === b.allowWithoutName;
}

import type { DecidingRule } from './facts.js';

/**
 * What the rules that match one connection or request say, before the default action: the first deny and the first
 * allow in evaluation order, the first allow carrying `audit`, and whether any matching rule carries `audit` (vArmor's
 * shadow rules log a request whichever rule decides it).
 */
export interface Outcome {
  deny?: DecidingRule;
  allow?: DecidingRule;
  auditAllow?: DecidingRule;
  audited: boolean;
  /** An allow rule matched that does not depend on a name the client sent (an L4 rule, host `*`, no hosts). */
  allowWithoutName: boolean;
}

export const NO_MATCH: Outcome = Object.freeze({ audited: false, allowWithoutName: false });

/** A rule as the matchers see it: what it does and how it is reported. */
export interface RuleVerdict {
  action: 'allow' | 'deny';
  audit: boolean;
  ref: DecidingRule;
}

/** Adds one matching rule (taken in evaluation order) to an outcome. */
export function addMatch(outcome: Outcome, rule: RuleVerdict, byName: boolean): Outcome {
  const next: Outcome = { ...outcome, audited: outcome.audited || rule.audit };
  if (rule.action === 'deny') {
    next.deny ??= rule.ref;
  } else {
    next.allow ??= rule.ref;
    if (rule.audit) next.auditAllow ??= rule.ref;
    if (!byName) next.allowWithoutName = true;
  }
  return next;
}

/** The outcome of two rule sets together, `first`'s rules coming first in evaluation order. */
export function mergeOutcomes(first: Outcome, second: Outcome): Outcome {
  if (second === NO_MATCH) return first;
  if (first === NO_MATCH) return second;
  const merged: Outcome = { audited: first.audited || second.audited, allowWithoutName: first.allowWithoutName || second.allowWithoutName };
  const deny = first.deny ?? second.deny;
  const allow = first.allow ?? second.allow;
  const auditAllow = first.auditAllow ?? second.auditAllow;
  if (deny) merged.deny = deny;
  if (allow) merged.allow = allow;
  if (auditAllow) merged.auditAllow = auditAllow;
  return merged;
}

export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.deny === b.deny && a.allow === b.allow && a.auditAllow === b.auditAllow && a.audited === b.audited && a.allowWithoutName === b.allowWithoutName;
}

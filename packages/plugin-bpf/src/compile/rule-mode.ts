import type { BpfQualifier } from '@armorkit/core/schema';
import type { ViolationAction } from '@armorkit/core';

/** A rule's mode bits (reference §1.0): DENY blocks the operation, AUDIT reports it. 0 = the rule does nothing. */
export const DENY_MODE = 1;
export const AUDIT_MODE = 2;

/** The mode of the base and built-in rules for the plan's violation action. */
export function actionMode(action: ViolationAction): number {
  switch (action) {
    case 'deny':
      return DENY_MODE;
    case 'audit-deny':
      return DENY_MODE | AUDIT_MODE;
    case 'audit':
      return AUDIT_MODE;
    case 'allow':
      return 0;
  }
}

/**
 * The mode of a raw rule: its qualifiers, then the policy-wide switches on top: auditViolations adds AUDIT and
 * allowViolations removes DENY, so `allowViolations` lets every violation through as it says (vArmor ignores both
 * for raw rules).
 */
export function qualifierMode(qualifiers: readonly BpfQualifier[], action: ViolationAction): number {
  let mode = (qualifiers.includes('deny') ? DENY_MODE : 0) | (qualifiers.includes('audit') ? AUDIT_MODE : 0);
  if (action === 'audit-deny' || action === 'audit') mode |= AUDIT_MODE;
  if (action === 'audit' || action === 'allow') mode &= ~DENY_MODE;
  return mode;
}

import type { ViolationAction } from '../plan.js';

/**
 * reference §1.0: auditViolations (A) × allowViolations (W).
 * A W  → deny | audit-deny | audit (allowed, logged) | allow (allowed, not logged).
 */
export function violationAction(auditViolations = false, allowViolations = false): ViolationAction {
  if (allowViolations) return auditViolations ? 'audit' : 'allow';
  return auditViolations ? 'audit-deny' : 'deny';
}

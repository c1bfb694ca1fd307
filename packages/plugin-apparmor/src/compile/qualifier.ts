import type { ViolationAction } from '@armorkit/core';

/** How a rule line is written for a violation action (reference §1.0). */
export interface Qualifier {
  /** Prefix of every rule line: `deny `, `audit deny `, `audit ` or nothing. */
  prefix: string;
  /** Exec permission: `rx` in a deny rule; an allowed exec needs an exec mode, so `rix` (inherit). */
  exec: string;
  /** Whether violations are let through (the rule lines are allow rules). */
  allows: boolean;
}

const QUALIFIERS: Record<ViolationAction, Qualifier> = {
  deny: { prefix: 'deny ', exec: 'rx', allows: false },
  'audit-deny': { prefix: 'audit deny ', exec: 'rx', allows: false },
  audit: { prefix: 'audit ', exec: 'rix', allows: true },
  allow: { prefix: '', exec: 'rix', allows: true },
};

export function qualifierFor(action: ViolationAction): Qualifier {
  return QUALIFIERS[action];
}

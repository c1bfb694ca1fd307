import { type PolicyError, policyError } from '@armorkit/core';
import type { BpfProfile } from './profile.js';

/** Rules per type one profile holds (vArmor's MaxBpf*RuleCount), counted after every expansion. */
export const MAX_RULES_PER_TYPE = 64;

const KINDS = [
  { list: 'files', kind: 'file' },
  { list: 'processes', kind: 'exec' },
  { list: 'networks', kind: 'network' },
  { list: 'mounts', kind: 'mount' },
] as const;

/** One error per type over the limit, at the rule that made the first one too many. */
export function checkRuleLimits(profile: BpfProfile): PolicyError[] {
  const errors: PolicyError[] = [];
  for (const { list, kind } of KINDS) {
    const rules = profile[list];
    const first = rules[MAX_RULES_PER_TYPE];
    if (!first) continue;
    errors.push(
      policyError(
        'bpf-rule-limit',
        first.origin.pointer,
        `the profile has ${rules.length} BPF ${kind} rules after expansion (built-in rules, ports, addresses, disk devices); ` +
          `a profile holds at most ${MAX_RULES_PER_TYPE}, and the rules from here on (${first.origin.source}) do not fit`,
      ),
    );
  }
  return errors;
}

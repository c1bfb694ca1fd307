import type { PolicyIR, Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { mutateErrors } from './errors.js';
import { selectorMatches } from './label-selector.js';
import type { Workload } from './workload.js';

/** The label a workload must carry to be mutated (the webhook's objectSelector); undefined: none needed. */
export interface MatchLabel {
  key: string;
  value: string;
}

/** vArmor's default `--webhookMatchLabel`. */
export const DEFAULT_MATCH_LABEL = 'sandbox.varmor.org/enable=true';

/** `key=value`, or the empty string for "no label needed" (vArmor's `--webhookMatchLabel=`). */
export function parseMatchLabel(text: string): Result<MatchLabel | undefined> {
  if (text === '') return ok(undefined);
  const equals = text.indexOf('=');
  const key = text.slice(0, equals);
  if (equals <= 0 || key.trim() !== key) {
    return fail([mutateErrors.error('match-label-invalid', '', `the match label ${JSON.stringify(text)} is not key=value (give an empty one to need no label)`)]);
  }
  return ok({ key, value: text.slice(equals + 1) });
}

export function hasMatchLabel(workload: Workload, label: MatchLabel | undefined): boolean {
  return label === undefined || workload.labels[label.key] === label.value;
}

const byName = (a: PolicyIR, b: PolicyIR) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The policy a workload gets (reference §6.3): cluster policies first, then the policies of its namespace; the first
 * whose target has the workload's kind and its name, or a selector its labels match. vArmor takes them in cache
 * order (any one of several matches); we take them by name, so the answer is the same every time.
 */
export function matchPolicy(policies: readonly PolicyIR[], workload: Workload): PolicyIR | undefined {
  const cluster = policies.filter((policy) => policy.clusterScoped).sort(byName);
  const namespaced = policies.filter((policy) => !policy.clusterScoped && policy.namespace === workload.namespace).sort(byName);
  return [...cluster, ...namespaced].find((policy) => targets(policy, workload));
}

function targets(policy: PolicyIR, workload: Workload): boolean {
  const target = policy.spec.target;
  if (target.kind !== workload.kind) return false;
  if (target.name !== undefined) return target.name === workload.name;
  return target.selector !== undefined && selectorMatches(target.selector, workload.labels);
}

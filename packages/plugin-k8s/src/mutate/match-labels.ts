import type { Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { mutateErrors } from './errors.js';
import { LABEL_KEY, LABEL_VALUE } from './label-syntax.js';
import type { Workload } from './workload.js';

/** The labels a workload must all carry to be mutated (the webhook's objectSelector matchLabels); `{}`: none needed. */
export type MatchLabels = Readonly<Record<string, string>>;

/** vArmor's default `--webhookMatchLabel`. */
export const DEFAULT_MATCH_LABELS: MatchLabels = Object.freeze({ 'sandbox.varmor.org/enable': 'true' });

const invalid = (message: string): Result<MatchLabels> => fail([mutateErrors.error('match-label-invalid', '', message)]);
const byKey = ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0);

/** The labels sorted by key, as `key=value,key=value` (a label selector's text; Helm ranges over a map in this order too). */
export function formatMatchLabels(labels: MatchLabels): string {
  return Object.entries(labels).sort(byKey).map(([key, value]) => `${key}=${value}`).join(',');
}

function labelProblem(key: string, value: string): string | undefined {
  if (!LABEL_KEY.test(key)) return `${JSON.stringify(key)} is not a label key`;
  if (!LABEL_VALUE.test(value)) return `${JSON.stringify(value)} is not a label value`;
  return undefined;
}

/** The labels if every key and value is one Kubernetes accepts (an objectSelector would refuse the others). */
export function checkMatchLabels(labels: MatchLabels): Result<MatchLabels> {
  for (const [key, value] of Object.entries(labels).sort(byKey)) {
    const problem = labelProblem(key, value);
    if (problem) return invalid(`the match label ${key}=${value}: ${problem}`);
  }
  return ok(labels);
}

/**
 * `--match-label` given one or more times: every `key=value` must be on the workload, as in a matchLabels; the empty
 * string alone for "no label needed" (vArmor's `--webhookMatchLabel=`). A key given twice must have one value.
 */
export function parseMatchLabels(texts: readonly string[]): Result<MatchLabels> {
  if (texts.length === 1 && texts[0] === '') return ok({});
  const labels = new Map<string, string>();
  for (const text of texts) {
    if (text === '') return invalid('an empty match label (no label needed) cannot be given with other match labels');
    const equals = text.indexOf('=');
    if (equals < 0) return invalid(`the match label ${JSON.stringify(text)} is not key=value (give an empty one to need no label)`);
    const key = text.slice(0, equals);
    const value = text.slice(equals + 1);
    const problem = labelProblem(key, value);
    if (problem) return invalid(`the match label ${JSON.stringify(text)}: ${problem}`);
    const earlier = labels.get(key);
    if (earlier !== undefined && earlier !== value) return invalid(`the match labels ${JSON.stringify(`${key}=${earlier}`)} and ${JSON.stringify(text)} give the key ${key} two values`);
    labels.set(key, value);
  }
  return ok(Object.fromEntries([...labels].sort(byKey)));
}

/** Whether the workload carries every match label (its own labels: a Deployment's, not its template's). */
export function hasMatchLabels(workload: Workload, labels: MatchLabels): boolean {
  return Object.entries(labels).every(([key, value]) => Object.hasOwn(workload.labels, key) && workload.labels[key] === value);
}

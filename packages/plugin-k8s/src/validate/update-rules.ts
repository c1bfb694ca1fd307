import { isDeepStrictEqual } from 'node:util';
import { type Enforcer, type PolicyError, splitEnforcerString } from '@armorkit/core';
import { DEFAULT_PROXY_ADMIN_PORT, DEFAULT_PROXY_PORT, DEFAULT_PROXY_UID } from '@armorkit/core/schema';
import { z } from 'zod';
import { k8sErrors } from '../errors.js';

// vArmor's update rules (internal/policy/validate.go, reference varmor.md §6.2): what a policy may not change once
// it exists, because pods already carry what it made. Pure: two documents in, the refused changes out. The webhook
// (UPDATE reviews) and `armorkit validate --previous` both call this; every other check is the engine's.

/** The fields the rules compare, read leniently: a stored policy may predate today's schema. */
const updateViewSchema = z.looseObject({
  kind: z.string(),
  spec: z.looseObject({
    target: z.record(z.string(), z.unknown()),
    policy: z.looseObject({
      enforcer: z.string(),
      mode: z.string(),
      networkProxyConfig: z.looseObject({ proxyUID: z.unknown().optional(), proxyPort: z.unknown().optional(), proxyAdminPort: z.unknown().optional() }).nullish(),
    }),
  }),
  status: z.looseObject({ phase: z.unknown().optional() }).nullish(),
});
type UpdateView = z.infer<typeof updateViewSchema>;

const PROXY_DEFAULTS = { proxyUID: DEFAULT_PROXY_UID, proxyPort: DEFAULT_PROXY_PORT, proxyAdminPort: DEFAULT_PROXY_ADMIN_PORT } as const;
/** Enforcers whose profiles a running pod refers to by name: removing one would leave pods pointing at nothing. */
const REMOVABLE_ENFORCERS: ReadonlySet<Enforcer> = new Set(['BPF']);

/** A value for a message: JSON, cut short so a warning stays within the API server's 256 characters. */
function shown(value: unknown): string {
  const text = value === undefined ? '(unset)' : JSON.stringify(value);
  return text.length > 48 ? `${text.slice(0, 45)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The pointer (below `pointer`) of the first place where `a` and `b` differ; undefined when they are equal. */
function firstDifference(a: unknown, b: unknown, pointer: string): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference(a[key], b[key], `${pointer}/${escape(key)}`);
      if (found !== undefined) return found;
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let index = 0; index < a.length; index++) {
      const found = firstDifference(a[index], b[index], `${pointer}/${index}`);
      if (found !== undefined) return found;
    }
  }
  return pointer;
}

/** The value at `pointer` (an RFC 6901 pointer this module built) inside `value`. */
function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const segment of pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (isPlainObject(current)) current = current[segment];
    else if (Array.isArray(current)) current = current[Number(segment)];
    else return undefined;
  }
  return current;
}

function enforcersOf(view: UpdateView): Enforcer[] {
  return splitEnforcerString(view.spec.policy.enforcer).enforcers;
}

function isModelling(view: UpdateView): boolean {
  return view.spec.policy.mode === 'BehaviorModeling' && view.status?.phase === 'Modeling';
}

function targetRule(previous: UpdateView, next: UpdateView): PolicyError[] {
  const where = firstDifference(previous.spec.target, next.spec.target, '/spec/target');
  if (where === undefined) return [];
  const inside = where.slice('/spec/target'.length);
  const message =
    `spec.target is immutable: ${inside === '' ? 'the target' : `target${inside.replaceAll('/', '.')}`} was ` +
    `${shown(valueAt(previous.spec.target, inside))}, now ${shown(valueAt(next.spec.target, inside))}; delete and recreate the policy to retarget it`;
  return [k8sErrors.error('target-immutable', where, message)];
}

function proxyRule(previous: UpdateView, next: UpdateView): PolicyError[] {
  return (Object.keys(PROXY_DEFAULTS) as (keyof typeof PROXY_DEFAULTS)[]).flatMap((field) => {
    // An unset field means the default, which the running proxies use: setting it to that value changes nothing.
    const before = previous.spec.policy.networkProxyConfig?.[field] ?? PROXY_DEFAULTS[field];
    const after = next.spec.policy.networkProxyConfig?.[field] ?? PROXY_DEFAULTS[field];
    if (isDeepStrictEqual(before, after)) return [];
    const message = `networkProxyConfig.${field} is immutable: was ${shown(before)}, now ${shown(after)}; delete and recreate the policy to change it`;
    return [k8sErrors.error('proxy-config-immutable', `/spec/policy/networkProxyConfig/${field}`, message, after)];
  });
}

function modellingRules(previous: UpdateView, next: UpdateView): PolicyError[] {
  if (!isModelling(previous)) return [];
  const errors: PolicyError[] = [];
  if (next.spec.policy.mode !== 'BehaviorModeling') {
    const message = `mode cannot change from BehaviorModeling to ${shown(next.spec.policy.mode)} while the policy is modelling (status.phase Modeling); wait until the phase is Completed`;
    errors.push(k8sErrors.error('modeling-mode-locked', '/spec/policy/mode', message, next.spec.policy.mode));
  }
  if (!isDeepStrictEqual(enforcersOf(previous), enforcersOf(next))) {
    const message = `enforcer cannot change from ${shown(previous.spec.policy.enforcer)} to ${shown(next.spec.policy.enforcer)} while the policy is modelling (status.phase Modeling)`;
    errors.push(k8sErrors.error('modeling-enforcer-locked', '/spec/policy/enforcer', message, next.spec.policy.enforcer));
  }
  return errors;
}

function enforcerRemovalRule(previous: UpdateView, next: UpdateView): PolicyError[] {
  const kept = new Set(enforcersOf(next));
  const removed = enforcersOf(previous).filter((enforcer) => !kept.has(enforcer) && !REMOVABLE_ENFORCERS.has(enforcer));
  if (removed.length === 0) return [];
  const message =
    `${removed.join(' and ')} cannot be removed from the enforcer (was ${shown(previous.spec.policy.enforcer)}, now ` +
    `${shown(next.spec.policy.enforcer)}): pods already use ${removed.length === 1 ? 'its profile' : 'their profiles'}; only BPF can be removed`;
  return [k8sErrors.error('enforcer-removed', '/spec/policy/enforcer', message, next.spec.policy.enforcer)];
}

/**
 * The changes vArmor refuses from `previous` to `next` (two VarmorPolicy / VarmorClusterPolicy documents as plain
 * data, `previous` with its status): each a PolicyError with the pointer into `next`. A `next` the rules cannot read
 * gives none (validation reports it); a `previous` they cannot read is refused, so nothing passes unchecked.
 */
export function checkPolicyUpdate(previous: unknown, next: unknown): PolicyError[] {
  const before = updateViewSchema.safeParse(previous);
  const after = updateViewSchema.safeParse(next);
  if (!after.success) return [];
  if (!before.success) {
    const issue = before.error.issues[0];
    const where = issue ? `/${issue.path.join('/')}` : '';
    return [k8sErrors.error('previous-unreadable', '', `the previous version is not a policy the update rules can read (${where}: ${issue?.message ?? 'invalid'}); refusing the update`)];
  }
  return [...targetRule(before.data, after.data), ...proxyRule(before.data, after.data), ...modellingRules(before.data, after.data), ...enforcerRemovalRule(before.data, after.data)];
}

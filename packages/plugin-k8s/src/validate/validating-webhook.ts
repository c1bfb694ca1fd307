import { checkPolicies, type Engine, type PolicyError } from '@armorkit/core';
import type { ArmorProfileModel } from '@armorkit/core/schema';
import { admissionWarnings, refusalMessage } from '../admission/problem-text.js';
import type { AdmissionHandler, AdmissionRequest, AdmissionResponse, KubernetesObject } from '../admission/review.js';
import { k8sErrors } from '../errors.js';
import { checkPolicyUpdate } from './update-rules.js';
import { CheckLimit } from './check-limit.js';
import { checkedView } from './checked-view.js';
import { VerdictCache } from './verdict-cache.js';

export const VARMOR_GROUP = 'crd.varmor.org';
export const VALIDATED_KINDS: ReadonlySet<string> = new Set(['VarmorPolicy', 'VarmorClusterPolicy']);

export interface ValidatingWebhookOptions {
  /** Check compiled profiles with the real tools (apparmor_parser -Q), as `armorkit validate` does. Default true. */
  verify?: boolean;
  /** Behaviour models (ArmorProfileModel by profile name) for DefenseInDepth policies built on one. */
  models?: ReadonlyMap<string, ArmorProfileModel>;
  /** How many verdicts to keep for objects seen again (by their exact JSON). Default 1024; 0 keeps none. */
  cacheSize?: number;
  /** How many objects are checked at once (each may run apparmor_parser); the rest wait their turn. Default 4. */
  concurrentChecks?: number;
}

interface Verdict {
  errors: PolicyError[];
  warnings: PolicyError[];
  /** Policies the engine's dialects read from the object: 0 when none recognised it. */
  policies: number;
}

function subjectOf(request: AdmissionRequest, object: KubernetesObject): string {
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const name = typeof metadata.name === 'string' ? metadata.name : (request.name ?? '');
  const namespace = request.kind.kind === 'VarmorPolicy' ? (request.namespace ?? (typeof metadata.namespace === 'string' ? metadata.namespace : '')) : '';
  return `${request.kind.kind} ${namespace ? `${namespace}/` : ''}${name || '(no name)'}`;
}

function refused(request: AdmissionRequest, subject: string, errors: readonly PolicyError[], warnings: readonly PolicyError[]): AdmissionResponse {
  return {
    uid: request.uid,
    allowed: false,
    status: { code: 422, reason: 'Invalid', message: refusalMessage(subject, errors) },
    warnings: admissionWarnings(errors, warnings),
  };
}

/**
 * The validating webhook for VarmorPolicy and VarmorClusterPolicy: CREATE and UPDATE run what `armorkit validate`
 * runs (the engine's checkPolicies on the object as a JSON document, so every problem has its pointer), UPDATE also
 * vArmor's update rules against oldObject. Refused: every problem in status.message and in warnings.
 */
export function validatingWebhook(engine: Engine, options: ValidatingWebhookOptions = {}): AdmissionHandler {
  const cache = new VerdictCache<Verdict>(options.cacheSize ?? 1024);
  const limit = new CheckLimit(Math.max(1, options.concurrentChecks ?? 4));
  const check = async (text: string, value: KubernetesObject, name: string): Promise<Verdict> => {
    const outcome = await checkPolicies(engine, [{ name, text, value }], { verify: options.verify !== false, ...(options.models ? { models: options.models } : {}) });
    // The cluster's models are ArmorProfileModel objects the controller compiles from, not the webhook's: a model it
    // does not have is a warning here, and the controller's to refuse (phase Error) until the modelling completed.
    const missing = outcome.errors.filter((error) => error.code === 'behavior-model-missing');
    const deferred = missing.map((error) => ({ ...error, message: `${error.message} (the controller compiles it from the cluster's ArmorProfileModel once modelling completed)` }));
    return { errors: outcome.errors.filter((error) => error.code !== 'behavior-model-missing'), warnings: [...outcome.warnings, ...deferred], policies: outcome.checked.length };
  };

  return async (request) => {
    if (request.operation === 'DELETE' || request.operation === 'CONNECT') return { uid: request.uid, allowed: true };
    const kind = request.kind.kind;
    const unsupported = (message: string): AdmissionResponse => refused(request, kind, [k8sErrors.error('admission-kind-unsupported', '/kind', message)], []);
    if (request.kind.group !== VARMOR_GROUP || !VALIDATED_KINDS.has(kind)) {
      const named = `${request.kind.group || 'core'}/${request.kind.version} ${kind}`;
      return unsupported(`this webhook validates VarmorPolicy and VarmorClusterPolicy (${VARMOR_GROUP}), not ${named}; check the webhook configuration's rules`);
    }
    const object = request.object;
    if (!object) return refused(request, kind, [k8sErrors.error('admission-object-missing', '', `a ${request.operation} review needs request.object`)], []);
    if (object.kind !== kind) return unsupported(`request.kind is ${kind} but the object's kind is ${JSON.stringify(object.kind)}`);
    const subject = subjectOf(request, object);
    // The object as a JSON document, pointers and all (the pointers are the object's: the view only leaves out fields
    // nothing checks). The text keys the cache and gives positions to problems; the engine takes the view as its value,
    // already parsed with the review, instead of parsing the text again.
    const view = checkedView(object);
    const text = JSON.stringify(view);
    const verdict = await cache.get(text, () => limit.run(() => check(text, view, subject)));
    const errors = [...verdict.errors];
    if (verdict.policies === 0 && errors.length === 0) {
      errors.push(k8sErrors.error('admission-kind-unsupported', '', `no dialect of this engine reads ${subject} as a policy`));
    }
    if (request.operation === 'UPDATE') {
      if (!request.oldObject) errors.push(k8sErrors.error('admission-object-missing', '', 'an UPDATE review needs request.oldObject to check the update rules'));
      else errors.push(...checkPolicyUpdate(request.oldObject, object));
    }
    if (errors.length > 0) return refused(request, subject, errors, verdict.warnings);
    const warnings = admissionWarnings([], verdict.warnings);
    return warnings.length > 0 ? { uid: request.uid, allowed: true, warnings } : { uid: request.uid, allowed: true };
  };
}

import type { Engine, KubernetesVersion, Plan, PolicyError, PolicyIR, Result } from '@armorkit/core';
import { warningHeaders } from '../admission/problem-text.js';
import type { AdmissionHandler, AdmissionRequest, AdmissionResponse } from '../admission/review.js';
import { formatPatch } from './json-patch.js';
import { checkMatchLabels, DEFAULT_MATCH_LABELS, type MatchLabels } from './match-labels.js';
import { mutateWorkload } from './mutate-workload.js';
import type { OperationStyle } from './patch-writer.js';
import { readWorkload, WORKLOAD_KINDS } from './workload.js';

export interface MutatingAdmissionOptions {
  /** The engine whose enforcer plugins say how pods change (the CLI's default engine, or your own). */
  engine: Engine;
  /** The VarmorPolicy and VarmorClusterPolicy objects now (informers in a cluster, a directory offline), parsed. */
  policies: () => readonly PolicyIR[] | Promise<readonly PolicyIR[]>;
  /** The API server's version, read once and kept by the caller (`cachedKubernetesVersion`). */
  kubeVersion: () => Promise<Result<KubernetesVersion>>;
  /** The time written into mutatedAt. Default: the system clock. */
  clock?: () => Date;
  /** The labels the object must all carry; `{}` for none. Default `{ 'sandbox.varmor.org/enable': 'true' }`. */
  matchLabels?: MatchLabels;
  operationStyle?: OperationStyle;
}

/** Problems as the API server's warnings (kubectl prints them), within its limits: the mutation allows, so there is no status message. */
export function asWarnings(problems: readonly PolicyError[]): string[] {
  return warningHeaders(problems.map((problem) => `armorkit: ${problem.pointer ? `${problem.pointer}: ` : ''}${problem.message}`), '');
}

/**
 * The `/mutate` handler: Pods, Deployments, StatefulSets and DaemonSets get the JSON patch of the policy they match.
 * It always allows (vArmor's failurePolicy Ignore, done here too): a request it cannot mutate — no policy, a policy
 * that cannot be used, an unreadable object — is allowed unchanged, with the reason in `warnings`.
 */
export function mutatingAdmission(options: MutatingAdmissionOptions): AdmissionHandler {
  const matchLabels = checkMatchLabels(options.matchLabels ?? DEFAULT_MATCH_LABELS);
  if (!matchLabels.ok) throw new TypeError(matchLabels.errors[0]!.message);
  const clock = options.clock ?? (() => new Date());
  const plans = new WeakMap<PolicyIR, { plan?: Plan; errors: PolicyError[] }>();
  const planOf = (policy: PolicyIR) => {
    let resolved = plans.get(policy);
    if (!resolved) plans.set(policy, (resolved = options.engine.resolve(policy)));
    return resolved;
  };

  const respond = async (request: AdmissionRequest): Promise<AdmissionResponse> => {
    const allowed = (problems: readonly PolicyError[] = []): AdmissionResponse =>
      problems.length > 0 ? { uid: request.uid, allowed: true, warnings: asWarnings(problems) } : { uid: request.uid, allowed: true };
    if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allowed();
    if (!(WORKLOAD_KINDS as readonly string[]).includes(request.kind.kind) || request.subResource) return allowed();
    const workload = readWorkload(request.object, request.namespace);
    if (!workload.ok) return allowed(workload.errors);
    const version = await options.kubeVersion();
    if (!version.ok) return allowed(version.errors);
    const mutation = mutateWorkload({
      engine: options.engine,
      policies: await options.policies(),
      workload: workload.value,
      kubernetesVersion: version.value,
      now: clock(),
      matchLabels: matchLabels.value,
      planOf,
      ...(options.operationStyle ? { operationStyle: options.operationStyle } : {}),
    });
    if (!mutation.ok) return allowed([...mutation.errors, ...mutation.warnings]);
    const response = allowed(mutation.warnings);
    if (mutation.value.operations.length === 0) return response;
    return { ...response, patchType: 'JSONPatch', patch: Buffer.from(formatPatch(mutation.value.operations)).toString('base64') };
  };

  return async (request) => {
    try {
      return await respond(request);
    } catch (error) {
      return { uid: request.uid, allowed: true, warnings: [`armorkit: the workload was not mutated: ${error instanceof Error ? error.message : String(error)}`] };
    }
  };
}

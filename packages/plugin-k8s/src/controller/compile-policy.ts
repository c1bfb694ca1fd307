import { type Artifact, checkPlan, type Engine, type Plan, type PolicyError, resolvePolicies } from '@armorkit/core';
import type { ArmorProfileModel } from '@armorkit/core/schema';
import type { KubernetesObject } from '@kubernetes/client-node';
import { controllerErrors } from './errors.js';

/**
 * A policy object through the engine, as `armorkit compile` runs it: `Forbidden` when it does not validate (parse,
 * resolve: vArmor's reason for a policy its validation refuses), `Error` when an enforcer cannot compile or verify it.
 */
export type CompiledPolicy =
  | { ok: true; plan: Plan; artifacts: Artifact[]; warnings: PolicyError[] }
  | { ok: false; reason: 'Forbidden' | 'Error'; errors: PolicyError[] };

export interface CompileOptions {
  /** Check the artifacts with the real tools (apparmor_parser -Q ...), as the validating webhook does. Default true. */
  verify?: boolean;
  models?: ReadonlyMap<string, ArmorProfileModel>;
}

/**
 * A policy object as the engine reads it, as a file (every problem with its pointer): only what a user wrote is
 * checked (the status is the controller's, metadata beyond name/namespace/labels the server's).
 */
export function policyInput(object: KubernetesObject): { name: string; text: string } {
  const name = `${object.kind ?? 'object'} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name ?? ''}`;
  const document = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: object.metadata?.name,
      ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
      ...(object.metadata?.labels ? { labels: object.metadata.labels } : {}),
    },
    spec: (object as { spec?: unknown }).spec,
  };
  return { name, text: JSON.stringify(document) };
}

/** The object through the engine, as `armorkit compile` runs a file. */
export async function compilePolicy(engine: Engine, object: KubernetesObject, options: CompileOptions = {}): Promise<CompiledPolicy> {
  const input = policyInput(object);
  const { name } = input;
  const resolved = resolvePolicies(engine, [input], options.models ? { models: options.models } : {});
  if (resolved.errors.length > 0) return { ok: false, reason: 'Forbidden', errors: resolved.errors };
  const [policy] = resolved.resolved;
  if (!policy) {
    return { ok: false, reason: 'Forbidden', errors: [controllerErrors.error('policy-not-read', '', `no dialect of this engine reads ${name} as a policy`)] };
  }
  const compiled = await compilePlan(engine, policy.plan, name, options);
  return compiled.ok ? { ...compiled, warnings: [...resolved.warnings, ...compiled.warnings] } : compiled;
}

/** A plan's artifacts, checked (`Error` when an enforcer cannot compile or verify it, or none compiles it). */
export async function compilePlan(engine: Engine, plan: Plan, name: string, options: Pick<CompileOptions, 'verify'> = {}): Promise<CompiledPolicy> {
  const checked = await checkPlan(engine, plan, { verify: options.verify !== false });
  if (checked.errors.length > 0) return { ok: false, reason: 'Error', errors: checked.errors };
  if (checked.artifacts.length === 0) {
    return { ok: false, reason: 'Error', errors: [controllerErrors.error('policy-no-artifact', '/spec/policy/enforcer', `no enforcer of this engine compiles ${name}`)] };
  }
  return { ok: true, plan, artifacts: checked.artifacts, warnings: checked.warnings };
}

/** `/spec/policy/enforcer: unknown enforcer "X"; /spec/target: ...`: problems for a status message (no file positions). */
export function describeProblems(errors: readonly PolicyError[]): string {
  return errors.map((error) => `${error.pointer || '/'}: ${error.message}`).join('; ');
}

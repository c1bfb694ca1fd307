import { coreErrors } from '../core-errors.js';
import type { Enforcer } from '../enforcer.js';
import type { PolicyError } from '../errors.js';
import { type Plan, plannedEnforcers } from '../plan.js';
import type { Result } from '../result.js';
import type { ArmorProfileModel } from '../schema/varmor/index.js';
import type { Artifact } from './artifact.js';
import type { Engine } from './engine.js';

/** A text to check (YAML or JSON, any number of documents) and the name its errors are reported under. */
export interface PolicyInput {
  name: string;
  text: string;
  /** The value of a JSON text when the caller has parsed it already (`JSON.parse(text)` gives it): not parsed again. */
  value?: unknown;
}

export interface ResolveOptions {
  /** Behaviour models (ArmorProfileModel by profile name) for DefenseInDepth policies built on one. */
  models?: ReadonlyMap<string, ArmorProfileModel>;
  /**
   * Refuse two policies with one profile name (their profiles would overwrite each other). Compiling a set of policies
   * needs this; checking a directory of variants of one policy, as vArmor's examples are, does not.
   */
  uniqueProfileNames?: boolean;
}

export interface ResolvedPolicy {
  file: string;
  plan: Plan;
}

export interface ResolveOutcome {
  resolved: ResolvedPolicy[];
  errors: PolicyError[];
  warnings: PolicyError[];
  /** Documents in the inputs that no dialect recognised (a Deployment next to a policy). */
  ignored: number;
}

/** parse + resolveMode over every input; every problem of every document collected. */
export function resolvePolicies(engine: Engine, inputs: readonly PolicyInput[], options: ResolveOptions = {}): ResolveOutcome {
  const outcome: ResolveOutcome = { resolved: [], errors: [], warnings: [], ignored: 0 };
  const owners = new Map<string, string>();
  for (const input of inputs) {
    const parsed = engine.parse(input.text, input.name, 'value' in input ? { value: input.value } : {});
    outcome.errors.push(...parsed.errors);
    outcome.ignored += parsed.ignored.length;
    for (const policy of parsed.policies) {
      const { plan, errors } = engine.resolve(policy, options.models);
      outcome.errors.push(...errors);
      const owner = options.uniqueProfileNames ? owners.get(policy.profileName) : undefined;
      if (owner) {
        const message = `profile name ${policy.profileName} is also the profile of ${owner}; each policy needs its own`;
        outcome.errors.push({
          ...coreErrors.error('duplicate-profile-name', '/metadata/name', message),
          location: { file: input.name, document: policy.source.index, ...policy.source.locate('/metadata/name') },
        });
        continue;
      }
      owners.set(policy.profileName, `${policy.kind} ${policy.clusterScoped ? '' : policy.namespace + '/'}${policy.name} (${input.name})`);
      if (plan) {
        outcome.resolved.push({ file: input.name, plan });
        outcome.warnings.push(...plan.warnings);
      }
    }
  }
  return outcome;
}

export interface CheckOptions extends ResolveOptions {
  /** Only these enforcers of each policy (a policy using none of them gives no artifact). Default: all it uses. */
  enforcers?: readonly Enforcer[];
  /** Check each artifact with the real tool (apparmor_parser, ...) when its plugin has one. Default true. */
  verify?: boolean;
}

export interface CheckedPlan {
  /** The artifacts of the enforcers that compiled (and verified, unless verify was off). */
  artifacts: Artifact[];
  /** Problems compile and verify found. */
  errors: PolicyError[];
  /** compile's warnings (the plan's own are in plan.warnings). */
  warnings: PolicyError[];
}

export interface CheckedPolicy extends ResolvedPolicy, CheckedPlan {}

export interface CheckOutcome {
  checked: CheckedPolicy[];
  /** Every problem: of the inputs, of resolving, of every enforcer's compile and verify. Empty: compile succeeds. */
  errors: PolicyError[];
  warnings: PolicyError[];
  ignored: number;
}

/**
 * compile and verify for one plan: each of its (chosen) enforcers, every one even when another fails, so every
 * problem is reported at once; compile's errors first, then verify's.
 */
export async function checkPlan(engine: Engine, plan: Plan, options: Pick<CheckOptions, 'enforcers' | 'verify'> = {}): Promise<CheckedPlan> {
  const enforcers = options.enforcers ? options.enforcers.filter((enforcer) => plan.enforcers[enforcer] !== undefined) : plannedEnforcers(plan);
  const checked: CheckedPlan = { artifacts: [], errors: [], warnings: [] };
  for (const enforcer of enforcers) {
    const compiled: Result<Artifact> = engine.compileEnforcer(plan, enforcer);
    checked.warnings.push(...compiled.warnings);
    if (compiled.ok) checked.artifacts.push(compiled.value);
    else checked.errors.push(...compiled.errors);
  }
  if (options.verify !== false) {
    for (const artifact of checked.artifacts) {
      const verified = await engine.verify(artifact, plan.policy.source);
      checked.warnings.push(...verified.warnings);
      if (!verified.ok) checked.errors.push(...verified.errors);
    }
  }
  return checked;
}

/**
 * Everything `compile` checks, as one function: parse, resolveMode, compile with every (or the chosen) enforcer, and
 * verify each artifact. `armorkit validate`, `armorkit compile` and the admission webhook all call this, so "valid"
 * means "compiles". A policy's enforcers are all checked even when one fails, so every problem is reported at once.
 */
export async function checkPolicies(engine: Engine, inputs: readonly PolicyInput[], options: CheckOptions = {}): Promise<CheckOutcome> {
  const resolved = resolvePolicies(engine, inputs, options);
  const outcome: CheckOutcome = { checked: [], errors: [...resolved.errors], warnings: [], ignored: resolved.ignored };
  for (const { file, plan } of resolved.resolved) {
    const checked = await checkPlan(engine, plan, options);
    outcome.checked.push({ file, plan, ...checked });
    outcome.errors.push(...checked.errors);
    outcome.warnings.push(...plan.warnings, ...checked.warnings);
  }
  // Each input's problems together, in the order of the inputs (a stable sort keeps each one's stages in order).
  // (Nothing to order in fewer than two problems, as a review's object usually has: no map made.)
  if (outcome.errors.length + outcome.warnings.length > 1) {
    const order = new Map(inputs.map((input, index) => [input.name, index]));
    const rank = (problem: PolicyError) => order.get(problem.location?.file ?? '') ?? inputs.length;
    outcome.errors.sort((a, b) => rank(a) - rank(b));
    outcome.warnings.sort((a, b) => rank(a) - rank(b));
  }
  return outcome;
}

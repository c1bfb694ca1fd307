import type { Enforcer } from '../enforcer.js';
import type { PolicyError } from '../errors.js';
import type { Plan } from '../plan.js';
import type { ArmorProfileModel } from '../schema/varmor/index.js';
import type { Artifact } from './artifact.js';
import type { Engine } from './engine.js';

/** A text to check (YAML or JSON, any number of documents) and the name its errors are reported under. */
export interface PolicyInput {
  name: string;
  text: string;
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
    const parsed = engine.parse(input.text, input.name);
    outcome.errors.push(...parsed.errors);
    outcome.ignored += parsed.ignored.length;
    for (const policy of parsed.policies) {
      const { plan, errors } = engine.resolve(policy, options.models);
      outcome.errors.push(...errors);
      const owner = options.uniqueProfileNames ? owners.get(policy.profileName) : undefined;
      if (owner) {
        outcome.errors.push({
          code: 'duplicate-profile-name',
          pointer: '/metadata/name',
          message: `profile name ${policy.profileName} is also the profile of ${owner}; each policy needs its own`,
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

export interface CheckedPolicy extends ResolvedPolicy {
  artifacts: Artifact[];
  /** Problems compile and verify found in this policy. */
  errors: PolicyError[];
}

export interface CheckOutcome {
  checked: CheckedPolicy[];
  /** Every problem: of the inputs, of resolving, of every enforcer's compile and verify. Empty: compile succeeds. */
  errors: PolicyError[];
  warnings: PolicyError[];
  ignored: number;
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
    const chosen = options.enforcers?.filter((enforcer) => plan.enforcers[enforcer] !== undefined);
    // compile's warnings include the plan's own.
    const compiled = engine.compile(plan, chosen);
    const errors = [...compiled.errors];
    if (options.verify !== false) {
      for (const artifact of compiled.artifacts) errors.push(...(await engine.verify(artifact, plan.policy.source)));
    }
    outcome.checked.push({ file, plan, artifacts: compiled.artifacts, errors });
    outcome.errors.push(...errors);
    outcome.warnings.push(...compiled.warnings);
  }
  // Each input's problems together, in the order of the inputs (a stable sort keeps each one's stages in order).
  const order = new Map(inputs.map((input, index) => [input.name, index]));
  const rank = (problem: PolicyError) => order.get(problem.location?.file ?? '') ?? inputs.length;
  outcome.errors.sort((a, b) => rank(a) - rank(b));
  outcome.warnings.sort((a, b) => rank(a) - rank(b));
  return outcome;
}

import { type ArmorProfileModel, type Engine, formatPolicyError, parseBehaviorModels, type Plan, type PolicyError } from '@armorkit/core';
import { type InputFile, readInputs } from './inputs.js';
import { UsageError } from './io.js';

export interface ResolvedPolicy {
  file: string;
  plan: Plan;
}

export interface PipelineOutcome {
  resolved: ResolvedPolicy[];
  errors: PolicyError[];
  warnings: PolicyError[];
  /** Documents in the inputs that no dialect recognised. */
  ignored: number;
}

/** Behaviour models (ArmorProfileModel YAML) from `--model` paths, by profile name; their problems are usage errors. */
export function readBehaviorModels(paths: readonly string[] | undefined, cwd: string): Map<string, ArmorProfileModel> {
  const models = new Map<string, ArmorProfileModel>();
  if (!paths || paths.length === 0) return models;
  const { files, problems } = readInputs(paths, cwd);
  if (problems.length > 0) throw new UsageError(`--model: ${problems.join('; ')}`);
  for (const file of files) {
    const parsed = parseBehaviorModels(file.text, file.name);
    if (parsed.errors.length > 0) throw new UsageError(`--model:\n${parsed.errors.map(formatPolicyError).join('\n')}`);
    for (const [name, model] of parsed.models) models.set(name, model);
  }
  return models;
}

/** parse + resolveMode over every file; all problems of all documents collected. */
export function resolveFiles(
  engine: Engine,
  files: readonly InputFile[],
  options: { models?: ReadonlyMap<string, ArmorProfileModel>; uniqueProfileNames?: boolean } = {},
): PipelineOutcome {
  const outcome: PipelineOutcome = { resolved: [], errors: [], warnings: [], ignored: 0 };
  // When compiling, profile names must be unique: two policies with one name would overwrite each other's profiles
  // (validating a directory of variants of one policy, as vArmor's examples are, is fine).
  const owners = new Map<string, string>();
  for (const file of files) {
    const parsed = engine.parse(file.text, file.name);
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
          location: { file: file.name, document: policy.source.index, ...policy.source.locate('/metadata/name') },
        });
        continue;
      }
      owners.set(policy.profileName, `${policy.kind} ${policy.clusterScoped ? '' : policy.namespace + '/'}${policy.name} (${file.name})`);
      if (plan) {
        outcome.resolved.push({ file: file.name, plan });
        outcome.warnings.push(...plan.warnings);
      }
    }
  }
  return outcome;
}

export function formatProblems(errors: readonly PolicyError[], label = 'error'): string[] {
  return errors.map((error) => `${formatPolicyError(error)}${label === 'error' ? '' : ` (${label})`}`);
}

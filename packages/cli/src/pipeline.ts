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
export function resolveFiles(engine: Engine, files: readonly InputFile[], models?: ReadonlyMap<string, ArmorProfileModel>): PipelineOutcome {
  const outcome: PipelineOutcome = { resolved: [], errors: [], warnings: [], ignored: 0 };
  for (const file of files) {
    const parsed = engine.parse(file.text, file.name);
    outcome.errors.push(...parsed.errors);
    outcome.ignored += parsed.ignored.length;
    for (const policy of parsed.policies) {
      const { plan, errors } = engine.resolve(policy, models);
      outcome.errors.push(...errors);
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

import { type ArmorProfileModel, parseBehaviorModels } from '@armorkit/core/schema';
import { formatPolicyError, type PolicyError } from '@armorkit/core';
import { readInputs } from './inputs.js';
import { UsageError } from './io.js';

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

export function formatProblems(errors: readonly PolicyError[], label = 'error'): string[] {
  return errors.map((error) => `${formatPolicyError(error)}${label === 'error' ? '' : ` (${label})`}`);
}

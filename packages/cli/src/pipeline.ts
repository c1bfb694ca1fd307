import { type Engine, formatPolicyError, type Plan, type PolicyError } from '@armorkit/core';
import type { InputFile } from './inputs.js';

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

/** parse + resolveMode over every file; all problems of all documents collected. */
export function resolveFiles(engine: Engine, files: readonly InputFile[]): PipelineOutcome {
  const outcome: PipelineOutcome = { resolved: [], errors: [], warnings: [], ignored: 0 };
  for (const file of files) {
    const parsed = engine.parse(file.text, file.name);
    outcome.errors.push(...parsed.errors);
    outcome.ignored += parsed.ignored.length;
    for (const policy of parsed.policies) {
      const { plan, errors } = engine.resolve(policy);
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

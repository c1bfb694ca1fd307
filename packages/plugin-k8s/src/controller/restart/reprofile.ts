import type { Engine, KubernetesVersion, PolicyIR, Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import type { MatchLabels } from '../../mutate/match-labels.js';
import { mutateWorkload } from '../../mutate/mutate-workload.js';
import { readWorkload } from '../../mutate/workload.js';
import { restartErrors } from './errors.js';
import { withoutProfiles } from './select.js';

export interface ReprofileInput {
  engine: Engine;
  /** The policies in force after the change (a deleted policy is no longer among them). */
  policies: readonly PolicyIR[];
  kubernetesVersion: KubernetesVersion;
  matchLabels: MatchLabels;
  now: Date;
}

type Json = Record<string, unknown>;

/**
 * The workload's pod template as the mutating webhook would write it now: armorkit's old profiles taken out, then the
 * policy that matches it now (if any) applied, exactly as the webhook does (one code path, so they cannot differ).
 */
export function reprofiler(input: ReprofileInput): (object: Json) => Result<Json> {
  return (object) => {
    const stripped = withoutProfiles(object);
    const workload = readWorkload(stripped);
    if (!workload.ok) return fail(workload.errors.map((error) => restartErrors.error('restart-reprofile-failed', error.pointer, error.message)));
    const mutation = mutateWorkload({ ...input, workload: workload.value });
    if (!mutation.ok) return fail(mutation.errors.map((error) => restartErrors.error('restart-reprofile-failed', error.pointer, error.message)));
    return ok(mutation.value.object);
  };
}

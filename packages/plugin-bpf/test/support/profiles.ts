import type { BpfProfile } from '../../src/compile/profile.js';
import { emptyProfile } from '../../src/compile/profile.js';
import { compileBpfProfile } from '../../src/compile/compile-plan.js';
import { enhancePolicy, planFor } from './compile-policy.js';

/** The compiled profile of an EnhanceProtect policy body (YAML under enhanceProtect:, 6-space indent). */
export function profileOf(enhance: string, options: Parameters<typeof compileBpfProfile>[1] = { diskDevices: [] }): BpfProfile {
  const compiled = compileBpfProfile(planFor(enhancePolicy(enhance)), options);
  if (!compiled.ok) throw new Error(compiled.errors.map((e) => `${e.pointer}: ${e.message}`).join('\n'));
  return compiled.value;
}

export { emptyProfile };

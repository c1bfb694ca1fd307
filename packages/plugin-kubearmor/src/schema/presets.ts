import { z } from 'zod';
import { actionSchema } from './leaf-types.js';

/** The presets KubeArmor's daemon knows; the CRD itself has no enum for the name. */
export const KUBEARMOR_PRESETS = ['anonymousMapExec', 'exec', 'filelessExec', 'protectEnv', 'protectProc'] as const;

/** `spec.presets[]` of KubeArmorPolicy and KubeArmorClusterPolicy (BPF-LSM programs in KubeArmor). */
export const presetSchema = z.strictObject({
  name: z.string().optional(),
  action: actionSchema.optional(),
});
export type Preset = z.infer<typeof presetSchema>;

import { z } from 'zod';
import { bpfContentSchema } from './bpf-content.js';
import { objectMetaSchema } from './metadata.js';
import { enforcerStringSchema } from './policy.js';
import { CONDITION_STATUSES } from './status.js';
import { policyTargetSchema } from './target.js';
import { VARMOR_API_VERSION } from './varmor-policy.js';

export const PROFILE_MODES = ['enforce', 'complain'] as const;

/** A generated profile: AppArmor text, BPF tables and seccomp JSON under one name. */
export const profileSchema = z.strictObject({
  name: z.string().min(1),
  enforcer: enforcerStringSchema,
  mode: z.enum(PROFILE_MODES),
  appArmor: z.string().optional(),
  bpf: bpfContentSchema.optional(),
  /** OCI LinuxSeccomp JSON text. */
  seccomp: z.string().optional(),
});
export type Profile = z.infer<typeof profileSchema>;

export const armorProfileConditionSchema = z.strictObject({
  type: z.literal('Ready'),
  status: z.enum(CONDITION_STATUSES),
  lastTransitionTime: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  nodeName: z.string().optional(),
});

/** The internal object a policy becomes; agents load `spec.profile` on their nodes. */
export const armorProfileSchema = z.strictObject({
  apiVersion: z.literal(VARMOR_API_VERSION),
  kind: z.literal('ArmorProfile'),
  metadata: objectMetaSchema,
  spec: z.strictObject({
    target: policyTargetSchema,
    profile: profileSchema,
    behaviorModeling: z.strictObject({ enable: z.boolean(), duration: z.number().int().min(0) }).optional(),
    updateExistingWorkloads: z.boolean().optional(),
  }),
  status: z
    .strictObject({
      desiredNumberLoaded: z.number().int().min(0).optional(),
      currentNumberLoaded: z.number().int().min(0).optional(),
      conditions: z.array(armorProfileConditionSchema).optional(),
    })
    .optional(),
});
export type ArmorProfile = z.infer<typeof armorProfileSchema>;

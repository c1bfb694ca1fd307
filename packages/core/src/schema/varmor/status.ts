import { z } from 'zod';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export const POLICY_CONDITION_TYPES = ['Created', 'Updated', 'Ready'] as const;
/** `Unchanged` is vArmor's internal "leave the phase alone" marker and never stored. */
export const POLICY_PHASES = ['Pending', 'Protecting', 'Modeling', 'Completed', 'Error', 'Failed', 'Unknown'] as const;

export const policyConditionSchema = z.strictObject({
  type: z.enum(POLICY_CONDITION_TYPES),
  status: z.enum(CONDITION_STATUSES),
  lastTransitionTime: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/** What the controller reports for a VarmorPolicy / VarmorClusterPolicy. */
export const policyStatusSchema = z.strictObject({
  profileName: z.string(),
  conditions: z.array(policyConditionSchema).optional(),
  ready: z.boolean(),
  phase: z.enum(POLICY_PHASES).optional(),
});
export type PolicyStatus = z.infer<typeof policyStatusSchema>;

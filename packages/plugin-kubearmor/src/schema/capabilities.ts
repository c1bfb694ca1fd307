import { z } from 'zod';
import { alertFields, capabilitySchema, fromSourceSchema } from './leaf-types.js';

/** `capabilities.matchCapabilities[]` of KubeArmorPolicy and KubeArmorClusterPolicy. */
export const capabilityRuleSchema = z.strictObject({
  capability: capabilitySchema,
  fromSource: z.array(fromSourceSchema).optional(),
  ...alertFields,
});
export type CapabilityMatch = z.infer<typeof capabilityRuleSchema>;

/** `capabilities.matchCapabilities[]` of KubeArmorHostPolicy (`MatchHostCapabilitiesType`): fromSource required. */
export const hostCapabilityRuleSchema = z.strictObject({
  capability: capabilitySchema,
  fromSource: z.array(fromSourceSchema),
  ...alertFields,
});

export const capabilitiesSectionSchema = z.strictObject({
  matchCapabilities: z.array(capabilityRuleSchema).optional(),
  ...alertFields,
});
export type CapabilitiesSection = z.infer<typeof capabilitiesSectionSchema>;

export const hostCapabilitiesSectionSchema = z.strictObject({
  matchCapabilities: z.array(hostCapabilityRuleSchema).optional(),
  ...alertFields,
});

import { z } from 'zod';
import { alertFields } from './leaf-types.js';

/** `device.matchDevice[]` of KubeArmorHostPolicy: a USB device by class (subclass, protocol, hub level). */
export const deviceRuleSchema = z.strictObject({
  class: z.string(),
  subClass: z.int32().optional(),
  protocol: z.int32().optional(),
  level: z.int32().min(1).optional(),
  ...alertFields,
});
export type DeviceMatch = z.infer<typeof deviceRuleSchema>;

export const deviceSectionSchema = z.strictObject({
  matchDevice: z.array(deviceRuleSchema).optional(),
  ...alertFields,
});
export type DeviceSection = z.infer<typeof deviceSectionSchema>;

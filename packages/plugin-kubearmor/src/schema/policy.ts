import { z } from 'zod';
import { objectMetaSchema } from '@armorkit/core/schema';
import { capabilitiesSectionSchema, hostCapabilitiesSectionSchema } from './capabilities.js';
import { deviceSectionSchema } from './device.js';
import { fileSectionSchema } from './file.js';
import { actionSchema, messageSchema, severitySchema, tagsSchema } from './leaf-types.js';
import { hostNetworkSectionSchema, networkSectionSchema } from './network.js';
import { presetSchema } from './presets.js';
import { processSectionSchema } from './process.js';
import { clusterSelectorSchema, nodeSelectorSchema, podSelectorSchema } from './selector.js';
import { syscallsSectionSchema } from './syscalls.js';

export const KUBEARMOR_API_VERSION = 'security.kubearmor.com/v1';
export const KUBEARMOR_POLICY_KINDS = ['KubeArmorPolicy', 'KubeArmorClusterPolicy', 'KubeArmorHostPolicy'] as const;
export type KubeArmorPolicyKind = (typeof KUBEARMOR_POLICY_KINDS)[number];

/** What every kind's spec has: the policy-level alert fields, the rule sections shared by all three, raw AppArmor. */
const commonSpec = {
  process: processSectionSchema.optional(),
  file: fileSectionSchema.optional(),
  syscalls: syscallsSectionSchema.optional(),
  /** Raw AppArmor rules KubeArmor inserts verbatim into the profile (AppArmor enforcer only). */
  apparmor: z.string().optional(),
  severity: severitySchema.optional(),
  tags: tagsSchema.optional(),
  message: messageSchema.optional(),
  action: actionSchema.optional(),
};

export const kubeArmorPolicySpecSchema = z.strictObject({
  selector: podSelectorSchema.optional(),
  network: networkSectionSchema.optional(),
  capabilities: capabilitiesSectionSchema.optional(),
  presets: z.array(presetSchema).optional(),
  ...commonSpec,
});
export type KubeArmorPolicySpec = z.infer<typeof kubeArmorPolicySpecSchema>;

export const kubeArmorClusterPolicySpecSchema = z.strictObject({
  selector: clusterSelectorSchema.optional(),
  network: networkSectionSchema.optional(),
  capabilities: capabilitiesSectionSchema.optional(),
  presets: z.array(presetSchema).optional(),
  ...commonSpec,
});
export type KubeArmorClusterPolicySpec = z.infer<typeof kubeArmorClusterPolicySpecSchema>;

export const kubeArmorHostPolicySpecSchema = z.strictObject({
  nodeSelector: nodeSelectorSchema,
  network: hostNetworkSectionSchema.optional(),
  capabilities: hostCapabilitiesSectionSchema.optional(),
  device: deviceSectionSchema.optional(),
  ...commonSpec,
});
export type KubeArmorHostPolicySpec = z.infer<typeof kubeArmorHostPolicySpecSchema>;

/** The status subresource KubeArmor's controller writes. */
export const policyStatusSchema = z.strictObject({ status: z.string().optional() });

function kindSchema<Kind extends KubeArmorPolicyKind, Spec extends z.ZodType>(kind: Kind, spec: Spec) {
  return z.strictObject({
    apiVersion: z.literal(KUBEARMOR_API_VERSION),
    kind: z.literal(kind),
    metadata: objectMetaSchema,
    // The CRDs do not require spec; an object without one selects nothing and has no rules.
    spec: spec.optional(),
    status: policyStatusSchema.optional(),
  });
}

export const kubeArmorPolicySchema = kindSchema('KubeArmorPolicy', kubeArmorPolicySpecSchema);
export const kubeArmorClusterPolicySchema = kindSchema('KubeArmorClusterPolicy', kubeArmorClusterPolicySpecSchema);
export const kubeArmorHostPolicySchema = kindSchema('KubeArmorHostPolicy', kubeArmorHostPolicySpecSchema);
export type KubeArmorPolicy = z.infer<typeof kubeArmorPolicySchema>;
export type KubeArmorClusterPolicy = z.infer<typeof kubeArmorClusterPolicySchema>;
export type KubeArmorHostPolicy = z.infer<typeof kubeArmorHostPolicySchema>;

/** Any of the three kinds, told apart by `kind`. */
export type AnyKubeArmorPolicy = KubeArmorPolicy | KubeArmorClusterPolicy | KubeArmorHostPolicy;

import { z } from 'zod';
import { objectMetaSchema } from '@armorkit/core/schema';
import { actionSchema, messageSchema, severitySchema, tagsSchema } from './leaf-types.js';
import { podSelectorSchema, nodeSelectorSchema } from './selector.js';

// KubeArmorNetworkPolicy (nftables, newer than the three policy kinds): checked against its CRD so that a file is
// judged as the API server would, then refused by the dialect, which does not enforce it (docs/kubearmor.md#parsing).

const LIMIT_PATTERN = /^[0-9]+(KB|MB|GB|K|M|G)?$/;

const portSchema = z.strictObject({
  port: z.string(),
  endPort: z.int().min(1).max(65535).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'tcp', 'udp', 'sctp']).optional(),
});
const ipBlockPeerSchema = z.strictObject({ ipBlock: z.strictObject({ cidr: z.string() }) });

const trafficRuleFields = {
  action: actionSchema.optional(),
  duration: z.string().optional(),
  iface: z.array(z.string()).optional(),
  limit: z.string().regex(LIMIT_PATTERN).optional(),
  message: messageSchema.optional(),
  ports: z.array(portSchema).optional(),
  // The CRD has no bounds on a traffic rule's severity (the policy-level one is 1..10).
  severity: z.int().optional(),
  tags: tagsSchema.optional(),
};

export const kubeArmorNetworkPolicySpecSchema = z.strictObject({
  action: actionSchema.optional(),
  level: z.enum(['pod', 'policy', 'Pod', 'Policy']).optional(),
  egress: z.array(z.strictObject({ ...trafficRuleFields, to: z.array(ipBlockPeerSchema).optional() })).optional(),
  ingress: z.array(z.strictObject({ ...trafficRuleFields, from: z.array(ipBlockPeerSchema).optional() })).optional(),
  message: messageSchema.optional(),
  nodeSelector: nodeSelectorSchema.optional(),
  selector: podSelectorSchema.optional(),
  severity: severitySchema.optional(),
  tags: tagsSchema.optional(),
});

export const kubeArmorNetworkPolicySchema = z.strictObject({
  apiVersion: z.literal('security.kubearmor.com/v1'),
  kind: z.literal('KubeArmorNetworkPolicy'),
  metadata: objectMetaSchema,
  spec: kubeArmorNetworkPolicySpecSchema.optional(),
  status: z.strictObject({ status: z.string().optional() }).optional(),
});
export type KubeArmorNetworkPolicy = z.infer<typeof kubeArmorNetworkPolicySchema>;

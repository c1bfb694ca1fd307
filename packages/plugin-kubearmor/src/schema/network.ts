import { z } from 'zod';
import { alertFields, fromSourceSchema, networkProtocolSchema } from './leaf-types.js';

/** `network.matchProtocols[]` of KubeArmorPolicy and KubeArmorClusterPolicy. */
export const networkProtocolRuleSchema = z.strictObject({
  protocol: networkProtocolSchema,
  pts: z.boolean().optional(),
  fromSource: z.array(fromSourceSchema).optional(),
  ...alertFields,
});
export type NetworkProtocolMatch = z.infer<typeof networkProtocolRuleSchema>;

/** `network.matchProtocols[]` of KubeArmorHostPolicy (`MatchHostNetworkProtocolType`): fromSource required, no pts. */
export const hostNetworkProtocolRuleSchema = z.strictObject({
  protocol: networkProtocolSchema,
  fromSource: z.array(fromSourceSchema),
  ...alertFields,
});
export type HostNetworkProtocolMatch = z.infer<typeof hostNetworkProtocolRuleSchema>;

/** `network.matchDNSQueries[]` (BPF-LSM only in KubeArmor); the CRD puts no pattern on `domain`. */
export const dnsQueryRuleSchema = z.strictObject({
  domain: z.string(),
  fromSource: z.array(fromSourceSchema).optional(),
  ...alertFields,
});
export type DnsQueryMatch = z.infer<typeof dnsQueryRuleSchema>;

export const networkSectionSchema = z.strictObject({
  matchProtocols: z.array(networkProtocolRuleSchema).optional(),
  matchDNSQueries: z.array(dnsQueryRuleSchema).optional(),
  ...alertFields,
});
export type NetworkSection = z.infer<typeof networkSectionSchema>;

export const hostNetworkSectionSchema = z.strictObject({
  matchProtocols: z.array(hostNetworkProtocolRuleSchema).optional(),
  matchDNSQueries: z.array(dnsQueryRuleSchema).optional(),
  ...alertFields,
});
export type HostNetworkSection = z.infer<typeof hostNetworkSectionSchema>;

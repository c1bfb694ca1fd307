// @armorkit/plugin-kubearmor/schema: the KubeArmor CRDs as zod schemas and their enums. The policy types inferred
// from them (KubeArmorPolicy, KubeArmorAction, ...) are at the package's root.
export { KUBEARMOR_API_VERSION, KUBEARMOR_POLICY_KINDS, kubeArmorClusterPolicySchema, kubeArmorHostPolicySchema, kubeArmorPolicySchema } from '../schema/policy.js';
export { kubeArmorNetworkPolicySchema, type KubeArmorNetworkPolicy } from '../schema/network-policy.js';
export { KUBEARMOR_ACTIONS } from '../schema/leaf-types.js';
export { KUBEARMOR_SYSCALLS } from '../schema/syscall-names.js';
export { KUBEARMOR_PRESETS } from '../schema/presets.js';
export type { ClusterExpression, LabelExpression, NodeSelector, PodSelector } from '../schema/selector.js';
export type { SyscallSource } from '../schema/syscalls.js';

// @armorkit/plugin-kubearmor: KubeArmor's policies (security.kubearmor.com/v1) as an armorkit dialect: the plugin
// factory and its error codes, the CRDs as zod schemas (types come from them), and the parsed policy the dialect hands
// on (rules with their inherited action, severity, tags and message) for the semantics and compile stages.

// The plugin
export { kubearmor, kubearmor as default, type KubeArmorPluginOptions } from './plugin.js';
export { kubearmorErrors } from './errors.js';

// Parsing
export { parseKubeArmorDocument, parseKubeArmorPolicy } from './dialect/parse-document.js';
export { kubeArmorPolicyIR, kubeArmorProfileName, type KubeArmorDialectOptions } from './dialect/policy-ir.js';
export { inheritAlert } from './parse/resolve-policy.js';
export { isKubeArmorDocument, validateKubeArmorDocument, KUBEARMOR_KINDS } from './parse/validate-document.js';
export {
  CAPABILITIES,
  NETWORK_PROTOCOLS,
  type AlertSettings,
  type Capability,
  type CapabilityRule,
  type DeviceRule,
  type DnsQueryRule,
  type FileDirectoryRule,
  type FilePathRule,
  type FilePatternRule,
  type KubeArmorRuleBase,
  type KubeArmorRules,
  type KubeArmorTarget,
  type NetworkProtocol,
  type NetworkProtocolRule,
  type ParsedKubeArmorPolicy,
  type PresetRule,
  type ProcessDirectoryRule,
  type ProcessPathRule,
  type ProcessPatternRule,
  type RuleOrigin,
  type SyscallPathRule,
  type SyscallRule,
} from './parse/parsed-policy.js';

// The CRDs as zod schemas
export {
  KUBEARMOR_API_VERSION,
  KUBEARMOR_POLICY_KINDS,
  kubeArmorClusterPolicySchema,
  kubeArmorHostPolicySchema,
  kubeArmorPolicySchema,
  type AnyKubeArmorPolicy,
  type KubeArmorClusterPolicy,
  type KubeArmorHostPolicy,
  type KubeArmorPolicy,
  type KubeArmorPolicyKind,
} from './schema/policy.js';
export { kubeArmorNetworkPolicySchema, type KubeArmorNetworkPolicy } from './schema/network-policy.js';
export { KUBEARMOR_ACTIONS, type KubeArmorAction, type KubeArmorSyscall } from './schema/leaf-types.js';
export { KUBEARMOR_SYSCALLS } from './schema/syscall-names.js';
export { KUBEARMOR_PRESETS } from './schema/presets.js';
export type { ClusterExpression, LabelExpression, NodeSelector, PodSelector } from './schema/selector.js';
export type { SyscallSource } from './schema/syscalls.js';

// Selectors: which pods, containers and nodes a policy applies to
export { selectsContainer, selectsPod, type PodIdentity } from './selectors/pod-selection.js';
export { HOSTNAME_LABEL, selectsNode, type NodeIdentity } from './selectors/node-selection.js';
export { CONTAINER_NAME_LABEL } from './parse/resolve-policy.js';

// @armorkit/plugin-kubearmor: KubeArmor's policies (security.kubearmor.com/v1) as an armorkit dialect: the plugin
// factory and its error codes, and the types of the parsed policy it hands on. Parsing and selectors are
// @armorkit/plugin-kubearmor/parse, the CRDs as zod schemas @armorkit/plugin-kubearmor/schema.
export { kubearmor, kubearmor as default, type KubeArmorPluginOptions } from './plugin.js';
export { kubearmorErrors } from './errors.js';
export type { NamespaceAnnotationsLookup } from './semantics/posture.js';
export type {
  AlertSettings,
  Capability,
  CapabilityRule,
  DeviceRule,
  DnsQueryRule,
  FileDirectoryRule,
  FilePathRule,
  FilePatternRule,
  KubeArmorRuleBase,
  KubeArmorRules,
  KubeArmorTarget,
  NetworkProtocol,
  NetworkProtocolRule,
  ParsedKubeArmorPolicy,
  PresetRule,
  ProcessDirectoryRule,
  ProcessPathRule,
  ProcessPatternRule,
  RuleOrigin,
  SyscallPathRule,
  SyscallRule,
} from './parse/parsed-policy.js';
export type { AnyKubeArmorPolicy, KubeArmorClusterPolicy, KubeArmorHostPolicy, KubeArmorPolicy, KubeArmorPolicyKind } from './schema/policy.js';
export type { KubeArmorAction, KubeArmorSyscall } from './schema/leaf-types.js';

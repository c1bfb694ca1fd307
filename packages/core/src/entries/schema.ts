// @armorkit/core/schema: vArmor's API and the OCI seccomp profile as zod schemas (types come from them), the JSON
// Schema generated from them for editors, exact JSON reading (64-bit integers kept) and behaviour models.

// vArmor documents: VarmorPolicy / VarmorClusterPolicy, the ArmorProfile it becomes, its status, behaviour models
export { anyVarmorPolicySchema, varmorClusterPolicySchema, varmorPolicySchema, type VarmorClusterPolicy, type VarmorPolicy, type VarmorPolicySpec } from '../schema/varmor/varmor-policy.js';
// The EnhanceProtect section other dialects (KubeArmor) build their policies' IR from
export type { EnhanceProtect } from '../schema/varmor/enhance-protect.js';
export { armorProfileModelSchema, type ArmorProfileModel, type ModelMount, type ModelPtrace, type ModelSignal } from '../schema/varmor/armor-profile-model.js';
export { armorProfileSchema, type ArmorProfile, type Profile } from '../schema/varmor/armor-profile.js';
export { kubernetesNameSchema, kubernetesNamespaceSchema, objectMetaSchema } from '../schema/varmor/metadata.js';
export { policyStatusSchema, type PolicyStatus } from '../schema/varmor/status.js';
export { parseBehaviorModels } from '../parse/behavior-models.js';
// The proxy's ports and UID when networkProxyConfig leaves them out (the update rules compare these)
export { DEFAULT_PROXY_ADMIN_PORT, DEFAULT_PROXY_PORT, DEFAULT_PROXY_UID } from '../schema/varmor/network-proxy-config.js';
// vArmor's BPF rules (bpfRawRules) and the BpfContent it loads; the BPF enforcer compiles from these
export { bpfContentSchema, type BpfContent } from '../schema/varmor/bpf-content.js';
export type { BpfRawRules } from '../schema/varmor/bpf-raw-rules.js';
export type { FilePermission, FileRule } from '../schema/varmor/bpf-file-rule.js';
export type { BpfQualifier } from '../schema/varmor/bpf-qualifiers.js';
export { bpfPatternProblem, type BpfPatternSubject } from '../schema/varmor/bpf-path-pattern.js';
export type { NetworkSocketRule, PodEgress, ServiceEgress } from '../schema/varmor/bpf-network.js';
// The OCI runtime spec's LinuxSeccomp
export {
  linuxSeccompSchema,
  uint64Value,
  type LinuxSeccomp,
  type LinuxSeccompArg,
  type LinuxSyscall,
  type SeccompAction,
  type SeccompArch,
  type SeccompOperator,
} from '../schema/oci-seccomp.js';
// JSON Schema for editors and exact JSON
export { documentJsonSchema, policyJsonSchema, policyKindJsonSchema, type JsonSchema, type JsonSchemaVisitor } from '../schema/json-schema.js';
export { parseExactJson } from '../schema/exact-json.js';

// @armorkit/plugin-bpf: the BPF-LSM enforcer.
export { bpf, bpf as default, type BpfPluginOptions } from './plugin.js';
// Compile (pure): plan → profile → vArmor BpfContent and inner-map entries.
export { bpfArtifact, type BpfArtifactData } from './compile/bpf-artifact.js';
export { compileBpfProfile, type BpfCompileOptions, type BpfCompileResult } from './compile/compile-plan.js';
export type {
  BpfProfile,
  BpfFileRule,
  BpfExecRule,
  BpfSocketRule,
  BpfConnectRule,
  BpfNetworkRule,
  BpfMountRule,
  BpfPtraceRule,
  BpfCapabilityRule,
  ConnectAddress,
  PortMatch,
  RuleOrigin,
} from './compile/profile.js';
export type { BpfEgressResolver, ServiceQuery, PodQuery, ResolvedDestination, Resolved } from './compile/egress-resolver.js';
export { toBpfContent, formatBpfContent } from './compile/varmor-content.js';
export { parsePathPattern, matchPathPattern, type PathPattern } from './compile/path-pattern.js';
export { groupPorts, PORTS_PER_RULE } from './compile/ports.js';
export { MAX_RULES_PER_TYPE } from './compile/limits.js';
export { DENY_MODE, AUDIT_MODE, actionMode, qualifierMode } from './compile/rule-mode.js';
export { DISK_DEVICE_PATTERN, diskDevicesFromPartitions } from './compile/disk-devices.js';
export { encodeProfile } from './encode/encode-profile.js';
export type { MapEntry } from './encode/map-entry.js';
// The kernel's decision function in TypeScript.
export { evaluate, type BpfRequest, type BpfDecision, type EvaluateContext } from './evaluate.js';

// @armorkit/plugin-bpf: the BPF-LSM enforcer.
export { bpf, bpf as default, type BpfPluginOptions } from './plugin.js';
// Compile (pure): plan → profile → vArmor BpfContent and inner-map entries.
export { bpfArtifact, type BpfArtifactData } from './compile/bpf-artifact.js';
export { compileBpfProfile, type BpfCompileOptions } from './compile/compile-plan.js';
export { bpfErrors, type BpfErrorCode } from './errors.js';
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
export { evaluate, openPermissions, type BpfRequest, type BpfDecision, type EvaluateContext } from './evaluate.js';
export { serializeEntries, deserializeEntries } from './encode/serialize.js';
// The kernel side: programs, loader, audit, local runs.
export { BpfEnforcer, detachEnforcer, DEFAULT_PIN_DIRECTORY, type EnforcerOptions } from './loader/enforcer.js';
export { ensureBpfObject, clangArguments, BPF_SOURCE_DIRECTORY, type ObjectOptions } from './loader/bpf-object.js';
export { bpfLsmProblem } from './loader/lsm-status.js';
export { mountNamespaceOf, liveMountNamespaces } from './loader/mount-namespace.js';
export type { BpfLoaderError, LoaderOutcome } from './loader/loader-error.js';
export { BpfAuditReader, bootTime } from './audit/ring-buffer.js';
export { openBpfAuditSource } from './audit/audit-source.js';
export { parseEventRecord, type BpfEventRecord } from './audit/event-record.js';
export { violationFromRecord, eventDetail, type DecodeContext } from './audit/decode-event.js';
export { confineWithBpf, helperScript } from './run/confine.js';

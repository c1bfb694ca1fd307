// @armorkit/plugin-bpf: the BPF-LSM enforcer plugin, its options (the egress resolver among them), its error codes
// and the artifact data it compiles: the profile (BpfProfile and its rules) and the inner-map entries.
export { bpf, bpf as default, type BpfPluginOptions } from './plugin.js';
export type { BpfEgressResolver, PodQuery, Resolved, ResolvedDestination, ServiceQuery } from './compile/egress-resolver.js';
export { bpfErrors, type BpfErrorCode } from './errors.js';
export type { BpfArtifactData } from './compile/bpf-artifact.js';
export type {
  BpfCapabilityRule,
  BpfConnectRule,
  BpfExecRule,
  BpfFileRule,
  BpfMountRule,
  BpfNetworkRule,
  BpfProfile,
  BpfPtraceRule,
  BpfSocketRule,
  ConnectAddress,
  PortMatch,
  RuleOrigin,
} from './compile/profile.js';
export type { MapEntry } from './encode/map-entry.js';

// @armorkit/plugin-bpf: the BPF-LSM enforcer plugin, its options (the egress resolver among them), its error codes
// and the artifact data it compiles: the profile (BpfProfile and its rules) and the inner-map entries.
export { bpf, bpf as default, type BpfPluginOptions } from './plugin.js';
export type { BpfEgressResolver } from './compile/egress-resolver.js';
export { bpfErrors } from './errors.js';
export type { BpfArtifactData } from './compile/bpf-artifact.js';
export type { BpfProfile } from './compile/profile.js';

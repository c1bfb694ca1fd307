// @armorkit/plugin-seccomp: the seccomp enforcer plugin, its options and its error codes; its artifact data is the
// OCI LinuxSeccomp of @armorkit/core/schema. The classic-BPF filter compiler is @armorkit/plugin-seccomp/filter.
export { seccomp, seccomp as default, type SeccompPluginOptions } from './plugin.js';
export { seccompErrors } from './errors.js';

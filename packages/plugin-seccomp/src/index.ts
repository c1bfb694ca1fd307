// @armorkit/plugin-seccomp: the kernel-facing half of the seccomp enforcer.
export { compileFilter, BAD_ARCH_ACTION, type CompiledFilter } from './compile/compile-filter.js';
export type { SkippedSyscall } from './compile/syscall-rules.js';
export { runFilter, type FilterRun, type FilterFault } from './bpf/interpreter.js';
export { checkFilter, type FilterProblem } from './bpf/checker.js';
export { serializeFilter, deserializeFilter } from './bpf/serialize.js';
export { disassembleFilter } from './bpf/disassemble.js';
export type { SockFilter } from './bpf/instruction.js';
export type { SeccompData } from './bpf/seccomp-data.js';
export { ARCHES, AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT, FILTER_ARCHES, type FilterArch } from './arch.js';
export {
  actionValue, actionPrecedence, describeAction, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
} from './actions.js';
export { syscallNumber, syscallName, syscallEntries, suggestSyscall, isKnownSyscallName } from './syscalls/lookup.js';
export { runConfined, type ConfinedRun, type RunConfinedOptions, type RunConfinedError } from './run/bwrap.js';
// The enforcer plugin and OCI profiles per mode.
export { seccomp, seccomp as default, type SeccompPluginOptions } from './plugin.js';
export { compileSeccompProfile, formatSeccompProfile, seccompArtifact, type SeccompCompileContext, type SeccompCompileOptions } from './profile/compile-plan.js';
export { seccompErrors, type SeccompErrorCode } from './errors.js';
export { runtimeDefaultProfile, DEFAULT_CONTAINER_CAPABILITIES, type RuntimeArch, type RuntimeDefaultOptions } from './profile/runtime-default.js';
export { seccompAction } from './profile/violation-action.js';
export { confineWithSeccomp, hostFilterArch } from './run/confine.js';
export { seccompAuditRecord } from './audit/index.js';
export { writeKubeletProfile, removeKubeletProfile, KUBELET_SECCOMP_DIRECTORY } from './load/kubelet-directory.js';

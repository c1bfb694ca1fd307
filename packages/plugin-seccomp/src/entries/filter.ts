// @armorkit/plugin-seccomp/filter: an OCI seccomp profile compiled to the classic-BPF program the kernel runs, our
// interpreter and checker of such programs, the syscall tables, and runs under bwrap --seccomp (docs/seccomp.md#api).
// The benchmark against libseccomp (bench/seccomp.mjs) uses it; the plugin's confine step is built on it.
export { compileFilter } from '../compile/compile-filter.js';
export type { SkippedSyscall } from '../compile/syscall-rules.js';
export { runFilter, type FilterFault } from '../bpf/interpreter.js';
export { checkFilter, type FilterProblem } from '../bpf/checker.js';
export { deserializeFilter, serializeFilter } from '../bpf/serialize.js';
export { disassembleFilter } from '../bpf/disassemble.js';
export type { SockFilter } from '../bpf/instruction.js';
export { AUDIT_ARCH_X86_64 } from '../arch.js';
export { actionValue } from '../actions.js';
export { isKnownSyscallName, suggestSyscall, syscallEntries, syscallName, syscallNumber } from '../syscalls/lookup.js';
export { runConfined, type ConfinedRun, type RunConfinedError } from '../run/bwrap.js';
// containerd's default profile (RuntimeDefault): the reference input of the benchmark and of the differential tests.
export { runtimeDefaultProfile } from '../profile/runtime-default.js';

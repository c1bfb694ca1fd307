import { defineErrors } from '@armorkit/core';

/** The codes the seccomp plugin raises; conditions shared with other enforcers use core's codes. */
export const seccompErrors = defineErrors('@armorkit/plugin-seccomp', {
  'unknown-syscall': { description: 'A syscall name in syscallRawRules (or a model or custom profile) that no architecture armorkit knows has; the message suggests the closest name.' },
  'errno-without-errno-action': { description: 'errnoRet on a rule whose action returns no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do).' },
  'seccomp-profile-name': { description: 'The profile name cannot be a file name in the kubelet seccomp directory (it must be a lower-case DNS-style name).' },
  'seccomp-write-failed': { description: 'The profile file could not be written or removed in the kubelet seccomp directory; the previous file stays.' },
  'seccomp-pod-profile-kept': { description: 'A container of a workload the policy targets chose its own securityContext.seccompProfile; the mutating webhook leaves it, so the policy\'s profile does not confine that container.', severity: 'warning' },
  'seccomp-arch-unsupported': { description: '`armorkit run` compiles the filter for this machine, and there is no filter compiler for its architecture.' },
  'seccomp-helper-missing': { description: 'The helper that installs the filter before exec is not built (build the package).' },
  'seccomp-filter-failed': { description: 'The profile does not compile to a classic BPF filter for this machine; the message gives the compiler\'s reasons.' },
  'seccomp/invalid-profile': { description: 'The filter compiler was given a profile that is not a valid OCI seccomp profile.' },
  'seccomp/filter-too-long': { description: 'The compiled filter has more instructions than the kernel accepts (BPF_MAXINSNS).' },
  'seccomp/notify-default': { description: 'SCMP_ACT_NOTIFY cannot be the default action (runc refuses it).' },
  'seccomp/notify-write': { description: 'SCMP_ACT_NOTIFY on write would deadlock the notifier (runc refuses it).' },
  'seccomp/unknown-syscall': { description: 'The filter compiler does not know a syscall of the profile on the target architecture.' },
  'seccomp/errno-not-supported': { description: 'errnoRet on an action that returns no errno.' },
  'seccomp/errno-out-of-range': { description: 'errnoRet does not fit in the 16 bits of SECCOMP_RET_DATA.' },
  'seccomp/bwrap-missing': { description: 'bwrap (bubblewrap), used to run a command under a filter in tests and tools, is not installed.' },
  'seccomp/bwrap-failed': { description: 'bwrap could not start.' },
  'seccomp/empty-argv': { description: 'No program was given to run under the filter.' },
  'bpf/empty': { description: 'The classic BPF filter has no instructions.' },
  'bpf/too-long': { description: 'The classic BPF filter is longer than the kernel accepts.' },
  'bpf/bad-opcode': { description: 'The filter uses an opcode seccomp does not allow.' },
  'bpf/bad-load': { description: 'The filter loads a word outside seccomp_data or a scratch slot out of range.' },
  'bpf/uninitialized-memory': { description: 'The filter may read a scratch slot before writing it.' },
  'bpf/bad-constant': { description: 'The filter divides by zero or shifts by 32 or more.' },
  'bpf/jump-out-of-range': { description: 'A jump of the filter leaves the program.' },
  'bpf/no-return-at-end': { description: 'The filter\'s last instruction is not a RET.' },
  'bpf/fault': { description: 'The filter interpreter (the test oracle) hit a fault running the filter.' },
});

export type SeccompErrorCode = keyof typeof seccompErrors.codes;

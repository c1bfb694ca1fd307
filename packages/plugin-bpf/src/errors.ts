import { defineErrors } from '@armorkit/core';
import type { BpfLoaderError } from './loader/loader-error.js';

/** The codes the BPF plugin raises; conditions shared with other enforcers use core's codes. */
export const bpfErrors = defineErrors('@armorkit/plugin-bpf', {
  'bpf-invalid-rule': { description: 'A rule (built-in fragment or bpfRawRules entry) the BPF encoder cannot express; the message says which part.' },
  'bpf-resolver-missing': { description: 'An egress rule names Kubernetes Services or Pods, and the engine has no resolver for their addresses.' },
  'bpf-resolver-failed': { description: 'The resolver could not give the addresses of the Services or Pods an egress rule names.' },
  'bpf-mounts-not-privileged': { description: 'Mount rules apply to privileged containers only; the base profile of a non-privileged one already denies every mount.', severity: 'warning' },
  'bpf-disk-devices-unknown': { description: 'A disk-device rule, with the node\'s disk devices unknown (no /proc/partitions): it matches no device.', severity: 'warning' },
  'bpf-model-partial': { description: 'DefenseInDepth from a behaviour model: BPF enforces its capabilities, sockets, ptrace and egress, not its executions, files or mounts (BPF rules only deny what matches); AppArmor enforces those.', severity: 'warning' },
  'bpf-rule-limit': { description: 'More rules of one type than the kernel maps hold.' },
  'bpf-encoding': { description: 'The compiled profile cannot be encoded into the kernel maps\' layout.' },
  'bpf-content-merged': { description: 'Rules of one list have different modes; bpf.json (vArmor\'s BpfContent) shows them merged, while the loaded profile keeps each mode.', severity: 'warning' },
  'bpf-target-missing': { description: 'A BPF profile applies to one mount namespace; the load target names none.' },
  'bpf-lsm-inactive': { description: 'BPF-LSM is not active in this kernel (boot with lsm=...,bpf), or securityfs is not mounted.' },
  'bpf-not-privileged': { description: 'Loading BPF-LSM programs needs root (CAP_BPF, CAP_PERFMON and CAP_MAC_ADMIN).' },
  'bpf-libbpf-missing': { description: 'libbpf (Debian libbpf1) cannot be loaded.' },
  'bpf-clang-missing': { description: 'clang, which compiles the BPF programs at first use, is not installed (Debian: clang llvm libbpf-dev).' },
  'bpf-object-build-failed': { description: 'clang could not compile the BPF programs; the message has its output.' },
  'bpf-object-load-failed': { description: 'libbpf or the kernel refused the BPF programs; the message has the verifier log\'s tail.' },
  'bpf-attach-failed': { description: 'A BPF-LSM program could not be attached.' },
  'bpf-pin-failed': { description: 'The programs or maps could not be pinned in bpffs (is it mounted on /sys/fs/bpf?).' },
  'bpf-pinned-version-mismatch': { description: 'Other armorkit BPF programs are attached; detach them first (which unconfines every namespace they hold).' },
  'bpf-pinned-incomplete': { description: 'The pin directory holds no complete set of programs (none attached since boot, or an attach that failed).' },
  'bpf-map-operation-failed': { description: 'A kernel map update failed, or a value for it was refused (pod addresses that are not one IPv4 and one IPv6 address).' },
  'bpf-ring-buffer-failed': { description: 'The BPF ring buffer of events could not be opened.' },
  'bpf-unshare-missing': { description: '`armorkit run` gives the command a mount namespace of its own with unshare (Debian: util-linux), which is not installed.' },
  'bpf-helper-missing': { description: 'The helper that applies the profile before exec is not built (build the package).' },
});

export type BpfErrorCode = keyof typeof bpfErrors.codes;

/** A loader problem as the plugin's error (the loader's codes are declared above), with its message unchanged. */
export function loaderError(error: BpfLoaderError, suffix = '') {
  return bpfErrors.error(error.code, '', `${error.message}${suffix}`);
}

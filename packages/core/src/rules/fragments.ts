import type { LinuxSeccompArg } from '../schema/oci-seccomp.js';

// What a rule means to each enforcer. Fragments are data, not code: the enforcer plugin that owns the format
// turns them into profile text or tables, so a rule pack never depends on a plugin.

/** One AppArmor rule line without its qualifier (`capability net_raw,`), or an exec rule the compiler spells rx/rix. */
export type AppArmorLine =
  | { rule: string }
  | { exec: string }
  /** One line per disk device found in /proc/partitions when the profile is loaded (`/dev/<dev> rw,` or `mount /dev/<dev>,`). */
  | { diskDevices: 'access' | 'mount' };

export interface AppArmorFragment {
  lines: AppArmorLine[];
}

/**
 * One seccomp rule. `key` identifies the entry rules accumulate into (vArmor: `chmod`, `setsockopt_so_attach_filter`).
 * `ifAbsent` entries are created only when no entry with that key exists; otherwise args are appended to the entry.
 */
export interface SeccompFragmentEntry {
  key: string;
  names: string[];
  args: LinuxSeccompArg[];
  ifAbsent?: boolean;
  /** errno returned instead of EPERM when the rule denies (clone3 → ENOSYS so libc falls back to clone). */
  errnoRet?: number;
}

export interface SeccompFragment {
  syscalls: SeccompFragmentEntry[];
}

export type BpfFilePermission = 'read' | 'write' | 'append' | 'exec';

export interface BpfFragment {
  files?: { pattern: string; permissions: BpfFilePermission[] }[];
  processes?: { pattern: string }[];
  /** Capability names as in capabilities(7) without the CAP_ prefix, lower case (`sys_admin`). `all` = every capability. */
  capabilities?: string[];
  ptrace?: { permissions: ('trace' | 'read' | 'traceby' | 'readby')[]; strictMode: boolean };
  mounts?: {
    sourcePattern: string;
    fstype: string;
    /** Mount flag names (vArmor spelling) or `all`; `umount` for umount. */
    flags: string[];
    /** Only when the container is privileged (non-privileged RuntimeDefault already denies it). */
    privilegedOnly?: boolean;
  }[];
  sockets?: { domains?: string[]; types?: string[]; protocols?: string[] }[];
  egress?: { ip?: string; cidr?: string; ports?: { port: number; endPort?: number }[] }[];
  /** Kubernetes Services whose cluster IPs and endpoints are blocked (resolved by a resolver at compile time). */
  services?: { namespace: string; name: string }[];
}

/** Fragments by enforcer id. Third-party packs may carry fragments for enforcers of their own. */
export interface RuleFragments {
  apparmor?: AppArmorFragment;
  seccomp?: SeccompFragment;
  bpf?: BpfFragment;
  [enforcerId: string]: unknown;
}

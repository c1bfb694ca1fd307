import type { ProfileMode } from '@armorkit/core';
import type { PathPattern } from './path-pattern.js';

/** Where a compiled rule comes from: the JSON pointer of what the policy wrote, and which rule or list. */
export interface RuleOrigin {
  pointer: string;
  /** A built-in rule id, `runtime-default` (the base profile) or `raw` (bpfRawRules). */
  source: string;
}

/** Reading, writing or appending to paths matching the pattern. `permissions` are MAY_READ | MAY_WRITE | MAY_APPEND bits. */
export interface BpfFileRule {
  mode: number;
  permissions: number;
  pattern: PathPattern;
  origin: RuleOrigin;
}

/** Executing a file whose path (resolved, or as invoked when absolute) matches the pattern. */
export interface BpfExecRule {
  mode: number;
  pattern: PathPattern;
  origin: RuleOrigin;
}

/** socket(2) by family, type and protocol masks (bit = 1 << number); a zero mask matches any value. */
export interface BpfSocketRule {
  kind: 'socket';
  mode: number;
  domains: bigint;
  types: bigint;
  protocols: bigint;
  origin: RuleOrigin;
}

export type ConnectAddress =
  | { kind: 'any' }
  | { kind: 'ip'; ip: string; family: 4 | 6 }
  | { kind: 'cidr'; network: string; prefixLength: number; family: 4 | 6 }
  /** The pod's own addresses, known when the profile is applied to a container. */
  | { kind: 'pod-self' }
  /** 0.0.0.0 and :: (which reach the local host). */
  | { kind: 'unspecified' };

export type PortMatch =
  | { kind: 'any' }
  | { kind: 'port'; port: number }
  | { kind: 'range'; port: number; endPort: number }
  | { kind: 'list'; ports: number[] };

/** connect(2) to an address and port (IPv4 and IPv6; v4-mapped IPv6 addresses count as IPv4). */
export interface BpfConnectRule {
  kind: 'connect';
  mode: number;
  address: ConnectAddress;
  ports: PortMatch;
  origin: RuleOrigin;
}

export type BpfNetworkRule = BpfSocketRule | BpfConnectRule;

/** mount(2) / umount(2) / move_mount(2) by source pattern, filesystem type (`*` = any) and flags. */
export interface BpfMountRule {
  mode: number;
  pattern: PathPattern;
  fstype: string;
  mountFlags: number;
  reverseMountFlags: number;
  origin: RuleOrigin;
}

/** ptrace permissions (PTRACE_TRACE | READ | TRACEBY | READBY); `strict` also covers tasks in the same container. */
export interface BpfPtraceRule {
  mode: number;
  permissions: number;
  strict: boolean;
  origin: RuleOrigin;
}

export interface BpfCapabilityRule {
  mode: number;
  capabilities: bigint;
  origin: RuleOrigin;
}

/**
 * A compiled BPF profile: every rule with its own mode, in vArmor's generation order (base profile, hardening,
 * vulnerability mitigation, attack protection, raw rules). Rules that do nothing (mode 0) are left out.
 */
export interface BpfProfile {
  profileName: string;
  profileMode: ProfileMode;
  capabilities: BpfCapabilityRule[];
  ptrace: BpfPtraceRule[];
  files: BpfFileRule[];
  processes: BpfExecRule[];
  networks: BpfNetworkRule[];
  mounts: BpfMountRule[];
}

export function emptyProfile(profileName: string, profileMode: ProfileMode): BpfProfile {
  return { profileName, profileMode, capabilities: [], ptrace: [], files: [], processes: [], networks: [], mounts: [] };
}

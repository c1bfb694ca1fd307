import type { SourceDocument } from '@armorkit/core';
import type { KubeArmorAction, KubeArmorSyscall } from '../schema/leaf-types.js';
import type { AnyKubeArmorPolicy, KubeArmorPolicyKind } from '../schema/policy.js';
import type { ClusterExpression, LabelExpression } from '../schema/selector.js';
import type { SyscallSource } from '../schema/syscalls.js';

// A KubeArmor policy after the daemon's normalisation (KubeArmor core/kubeUpdate.go): every rule carries its own
// action, severity, tags and message (inherited from its section, then from the spec, then the defaults), comma lists
// are expanded, and each rule keeps the JSON pointer of what it came from, for errors at the field.

/** What an alert of a rule carries, resolved. */
export interface AlertSettings {
  /** The rule's, else its section's, else the spec's, else Block. Syscall rules are always Audit. */
  action: KubeArmorAction;
  /** The rule's, else its section's, else the spec's, else 1 (KubeArmor leaves it 0, below the CRD's minimum). */
  severity: number;
  /** The first non-empty list of rule, section and spec; else empty. */
  tags: string[];
  /** The first non-empty message of rule, section and spec; else empty. */
  message: string;
}

export interface RuleOrigin {
  /** JSON pointer of the rule in the document (`/spec/file/matchDirectories/0`). */
  pointer: string;
}

export type KubeArmorRuleBase = AlertSettings & RuleOrigin;

/** `process.matchPaths[]`: by path, or by base name anywhere (`execname`); one of the two is set. */
export interface ProcessPathRule extends KubeArmorRuleBase {
  path?: string;
  execname?: string;
  /** With Block: the binary may run with these arguments only. Empty when not given. */
  allowedArgs: string[];
  ownerOnly: boolean;
  /** As written: only `false` changes behaviour (then the rule applies to processes with a terminal only). */
  pts?: boolean;
  /** Executables the rule applies to (the executable that execs, for process rules); empty: every process. */
  fromSource: string[];
}

export interface ProcessDirectoryRule extends KubeArmorRuleBase {
  /** Ends with `/`. */
  dir: string;
  /** False: the directory's direct children only. */
  recursive: boolean;
  ownerOnly: boolean;
  pts?: boolean;
  fromSource: string[];
}

export interface ProcessPatternRule extends KubeArmorRuleBase {
  /** An AppArmor glob. */
  pattern: string;
  ownerOnly: boolean;
}

export interface FilePathRule extends KubeArmorRuleBase {
  path: string;
  readOnly: boolean;
  ownerOnly: boolean;
  pts?: boolean;
  fromSource: string[];
}

export interface FileDirectoryRule extends KubeArmorRuleBase {
  dir: string;
  recursive: boolean;
  readOnly: boolean;
  ownerOnly: boolean;
  pts?: boolean;
  fromSource: string[];
}

export interface FilePatternRule extends KubeArmorRuleBase {
  pattern: string;
  readOnly: boolean;
  ownerOnly: boolean;
}

/** The protocols the CRD's pattern names, lower-cased (its list has each in both cases). */
export const NETWORK_PROTOCOLS = ['all', 'dccp', 'dgram', 'icmp', 'icmpv6', 'packet', 'raw', 'rdm', 'sctp', 'seqpacket', 'stream', 'tcp', 'udp'] as const;
export type NetworkProtocol = (typeof NETWORK_PROTOCOLS)[number];

/** One protocol of `network.matchProtocols[]` (a comma list there becomes one rule per protocol, same pointer). */
export interface NetworkProtocolRule extends KubeArmorRuleBase {
  protocol: NetworkProtocol;
  pts?: boolean;
  fromSource: string[];
}

/** One domain of `network.matchDNSQueries[]` (comma lists expanded). */
export interface DnsQueryRule extends KubeArmorRuleBase {
  domain: string;
  fromSource: string[];
}

/** The capabilities the CRD's pattern names (lower case, without `cap_`). */
export const CAPABILITIES = [
  'audit_control', 'audit_write', 'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'ipc_lock', 'ipc_owner', 'kill',
  'lease', 'linux_immutable', 'mac_admin', 'mac_override', 'mknod', 'net_admin', 'net_bind_service', 'net_broadcast', 'net_raw',
  'setfcap', 'setgid', 'setpcap', 'setuid', 'sys_admin', 'sys_boot', 'sys_chroot', 'sys_module', 'sys_nice', 'sys_pacct',
  'sys_ptrace', 'sys_rawio', 'sys_resource', 'sys_time', 'sys_tty_config',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One capability of `capabilities.matchCapabilities[]` (comma lists expanded). */
export interface CapabilityRule extends KubeArmorRuleBase {
  capability: Capability;
  fromSource: string[];
}

/** `syscalls.matchSyscalls[]`; action is always Audit in KubeArmor. */
export interface SyscallRule extends KubeArmorRuleBase {
  syscalls: KubeArmorSyscall[];
  fromSource: SyscallSource[];
}

/** `syscalls.matchPaths[]`. */
export interface SyscallPathRule extends KubeArmorRuleBase {
  /** A file, or a directory (ends with `/`); absent: any path. */
  path?: string;
  recursive: boolean;
  syscalls: KubeArmorSyscall[];
  fromSource: SyscallSource[];
}

/** `device.matchDevice[]` of a host policy. */
export interface DeviceRule extends KubeArmorRuleBase {
  class: string;
  subClass?: number;
  protocol?: number;
  level?: number;
}

/** `presets[]`: a named BPF-LSM protection of KubeArmor's (the name is not checked by the CRD). */
export interface PresetRule extends RuleOrigin {
  name: string;
  /** The preset's, else the spec's, else Block. */
  action: KubeArmorAction;
}

/** The rules of a policy, by resource class, in document order. */
export interface KubeArmorRules {
  process: { paths: ProcessPathRule[]; directories: ProcessDirectoryRule[]; patterns: ProcessPatternRule[] };
  file: { paths: FilePathRule[]; directories: FileDirectoryRule[]; patterns: FilePatternRule[] };
  network: { protocols: NetworkProtocolRule[]; dnsQueries: DnsQueryRule[] };
  capabilities: CapabilityRule[];
  syscalls: { syscalls: SyscallRule[]; paths: SyscallPathRule[] };
  /** Host policies only. */
  device: DeviceRule[];
  /** KubeArmorPolicy and KubeArmorClusterPolicy only. */
  presets: PresetRule[];
}

/** The workloads a policy applies to, per kind (selectsPod, selectsContainer and selectsNode match them). */
export type KubeArmorTarget =
  | {
      /** KubeArmorPolicy: pods of `namespace` with all of `matchLabels` that satisfy `matchExpressions`. */
      kind: 'pods';
      namespace: string;
      /** The selector's labels, less `kubearmor.io/container.name`, which names containers instead. */
      matchLabels: Record<string, string>;
      /** The containers of selected pods the policy applies to (`kubearmor.io/container.name: "[a,b]"`); empty: all. */
      containers: string[];
      matchExpressions: LabelExpression[];
      pointer: string;
    }
  | {
      /** KubeArmorClusterPolicy: pods of the namespaces and labels the expressions select (none: every pod). */
      kind: 'cluster';
      matchExpressions: ClusterExpression[];
      pointer: string;
    }
  | {
      /** KubeArmorHostPolicy: the nodes whose labels match. */
      kind: 'host';
      nodeLabels: Record<string, string>;
      pointer: string;
    };

/** A KubeArmor policy as the dialect hands it on: the validated document, its target, its resolved rules. */
export interface ParsedKubeArmorPolicy {
  kind: KubeArmorPolicyKind;
  name: string;
  /** KubeArmorPolicy only (`default` when metadata has none); the other kinds are cluster-scoped. */
  namespace?: string;
  labels: Record<string, string>;
  target: KubeArmorTarget;
  rules: KubeArmorRules;
  /** `spec.apparmor`: raw AppArmor rules KubeArmor inserts verbatim. */
  apparmor?: { text: string; pointer: string };
  /** The document as validated (null members pruned), for anything the resolved view leaves out. */
  policy: AnyKubeArmorPolicy;
  source: SourceDocument;
}

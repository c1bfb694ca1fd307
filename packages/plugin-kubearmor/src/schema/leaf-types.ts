import { z } from 'zod';
import { KUBEARMOR_SYSCALLS } from './syscall-names.js';

// The leaf types of the CRDs (KubeArmor's `common.go` kubebuilder markers), each as the API server checks it.

export const KUBEARMOR_ACTIONS = ['Allow', 'Audit', 'Block'] as const;
/** `ActionType`: the CRD's enum is case-sensitive, so `audit` is refused (the daemon would title-case it, but never sees it). */
export const actionSchema = z.enum(KUBEARMOR_ACTIONS);
export type KubeArmorAction = z.infer<typeof actionSchema>;

/** `SeverityType`: an integer from 1 to 10. */
export const severitySchema = z.int().min(1).max(10);
export const tagsSchema = z.array(z.string());
export const messageSchema = z.string();

/**
 * A string the CRD constrains with `pattern`. The API server (go-openapi) runs Go's `regexp.MatchString`: a search,
 * not a full match, so a pattern anchored only at its end accepts any prefix (`xtcp`, `cap_net_raw`). RegExp.test
 * without flags searches the same way; the patterns use nothing where RE2 and ECMAScript differ.
 */
function crdPattern(pattern: string, meaning: string, maxLength?: number) {
  const regex = new RegExp(pattern);
  return z.string().superRefine((value, ctx) => {
    if (!regex.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value)} does not match the CRD's pattern ${pattern} (${meaning})`,
        params: { code: 'invalid-value' },
      });
    }
    // The API server counts characters (runes), not UTF-16 units.
    const length = [...value].length;
    if (maxLength !== undefined && length > maxLength) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value.slice(0, 40))}... is ${length} characters, more than the CRD's maxLength ${maxLength}`,
        params: { code: 'invalid-value' },
      });
    }
  });
}

export const MATCH_PATH_PATTERN = '^\\/+.*[^\\/]$';
export const MATCH_DIRECTORY_PATTERN = '^\\/$|^\\/.*\\/$';
export const MATCH_SYSCALL_PATH_PATTERN = '(^\\/+.*[^\\/]$)|(^\\/$|^\\/.*\\/$)';
export const MATCH_BIN_PATTERN = '^[^\\/]+$';
export const NETWORK_PROTOCOL_PATTERN =
  '(tcp|TCP|udp|UDP|raw|RAW|icmp|ICMP|icmpv6|ICMPV6|sctp|SCTP|stream|STREAM|dgram|DGRAM|rdm|RDM|seqpacket|SEQPACKET|dccp|DCCP|packet|PACKET|all|ALL)$';
export const CAPABILITY_PATTERN =
  '(chown|dac_override|dac_read_search|fowner|fsetid|kill|setgid|setuid|setpcap|linux_immutable|net_bind_service|net_broadcast|' +
  'net_admin|net_raw|ipc_lock|ipc_owner|sys_module|sys_rawio|sys_chroot|sys_ptrace|sys_pacct|sys_admin|sys_boot|sys_nice|' +
  'sys_resource|sys_time|sys_tty_config|mknod|lease|audit_write|audit_control|setfcap|mac_override|mac_admin)$';

/** `MatchPathType`: an absolute file path, not ending with `/`, at most 200 characters. */
export const matchPathSchema = crdPattern(MATCH_PATH_PATTERN, 'an absolute path that does not end with /', 200);
/** `MatchDirectoryType`: an absolute directory ending with `/` (or `/` itself). */
export const matchDirectorySchema = crdPattern(MATCH_DIRECTORY_PATTERN, 'an absolute directory that ends with /');
/** `MatchSyscallPathType`: a file path or a directory. */
export const matchSyscallPathSchema = crdPattern(MATCH_SYSCALL_PATH_PATTERN, 'an absolute file path, or a directory ending with /');
/** `MatchBinType`: an executable's base name. */
export const matchBinSchema = crdPattern(MATCH_BIN_PATTERN, 'a base name, without /');
/** `MatchNetworkProtocolStringType`; the daemon also splits a comma list (`tcp,udp`), which the end-anchored pattern lets through. */
export const networkProtocolSchema = crdPattern(NETWORK_PROTOCOL_PATTERN, 'a protocol such as tcp, udp, icmp, raw or all');
/** `MatchCapabilitiesStringType`: a capability name, lower case, without `cap_` (which the unanchored start lets through). */
export const capabilitySchema = crdPattern(CAPABILITY_PATTERN, 'a capability name such as net_raw, lower case');
/** `Syscall`: the CRD's x86_64 enum. */
export const syscallNameSchema = z.enum(KUBEARMOR_SYSCALLS);
export type KubeArmorSyscall = z.infer<typeof syscallNameSchema>;

/** `MatchSourceType` of process, file, network and capability rules: the executable doing the operation. */
export const fromSourceSchema = z.strictObject({ path: matchPathSchema.optional() });

/** Severity, tags, message and action: every rule and section has them (syscalls have no action). */
export const alertFields = {
  severity: severitySchema.optional(),
  tags: tagsSchema.optional(),
  message: messageSchema.optional(),
  action: actionSchema.optional(),
};

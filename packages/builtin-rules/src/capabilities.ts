/** Linux capabilities in kernel order (capabilities(7); CAP_LAST_CAP = checkpoint_restore = 40), lower case without CAP_. */
export const CAPABILITIES = [
  'chown',
  'dac_override',
  'dac_read_search',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'linux_immutable',
  'net_bind_service',
  'net_broadcast',
  'net_admin',
  'net_raw',
  'ipc_lock',
  'ipc_owner',
  'sys_module',
  'sys_rawio',
  'sys_chroot',
  'sys_ptrace',
  'sys_pacct',
  'sys_admin',
  'sys_boot',
  'sys_nice',
  'sys_resource',
  'sys_time',
  'sys_tty_config',
  'mknod',
  'lease',
  'audit_write',
  'audit_control',
  'setfcap',
  'mac_override',
  'mac_admin',
  'syslog',
  'wake_alarm',
  'block_suspend',
  'audit_read',
  'perfmon',
  'bpf',
  'checkpoint_restore',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/** containerd's default capability set: what a non-privileged container normally keeps. */
export const CONTAINERD_DEFAULT_CAPABILITIES: readonly Capability[] = [
  'chown',
  'dac_override',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'net_bind_service',
  'net_raw',
  'sys_chroot',
  'mknod',
  'audit_write',
  'setfcap',
];

/** `net_bind_service` → `disable-cap-net-bind-service`. */
export function capabilityRuleId(capability: Capability): string {
  return `disable-cap-${capability.replace(/_/g, '-')}`;
}

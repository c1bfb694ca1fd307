/** Linux capability numbers (capability.h, up to CAP_CHECKPOINT_RESTORE = CAP_LAST_CAP on 6.x). */
export const CAPABILITY_NUMBERS: Readonly<Record<string, number>> = Object.freeze({
  chown: 0,
  dac_override: 1,
  dac_read_search: 2,
  fowner: 3,
  fsetid: 4,
  kill: 5,
  setgid: 6,
  setuid: 7,
  setpcap: 8,
  linux_immutable: 9,
  net_bind_service: 10,
  net_broadcast: 11,
  net_admin: 12,
  net_raw: 13,
  ipc_lock: 14,
  ipc_owner: 15,
  sys_module: 16,
  sys_rawio: 17,
  sys_chroot: 18,
  sys_ptrace: 19,
  sys_pacct: 20,
  sys_admin: 21,
  sys_boot: 22,
  sys_nice: 23,
  sys_resource: 24,
  sys_time: 25,
  sys_tty_config: 26,
  mknod: 27,
  lease: 28,
  audit_write: 29,
  audit_control: 30,
  setfcap: 31,
  mac_override: 32,
  mac_admin: 33,
  syslog: 34,
  wake_alarm: 35,
  block_suspend: 36,
  audit_read: 37,
  perfmon: 38,
  bpf: 39,
  checkpoint_restore: 40,
});

export const LAST_CAPABILITY = 40;

/** Every capability: bits 0..CAP_LAST_CAP. */
export const ALL_CAPABILITIES = (1n << BigInt(LAST_CAPABILITY + 1)) - 1n;

const byNumber = new Map(Object.entries(CAPABILITY_NUMBERS).map(([name, number]) => [number, name] as const));

/** `sys_admin` for 21; undefined past CAP_LAST_CAP. */
export function capabilityName(number: number): string | undefined {
  return byNumber.get(number);
}

/** The mask of one capability name (`sys_admin`, `CAP_SYS_ADMIN`, `sys-admin`) or `all`; undefined when unknown. */
export function capabilityMask(name: string): bigint | undefined {
  const normalized = name.toLowerCase().replace(/^cap_/, '').replace(/-/g, '_');
  if (normalized === 'all') return ALL_CAPABILITIES;
  const number = CAPABILITY_NUMBERS[normalized];
  return number === undefined ? undefined : 1n << BigInt(number);
}

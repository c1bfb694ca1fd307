// The closed lists of names apparmor_parser 3.0 knows, so that whatever the grammar accepts, the parser accepts too.
// Each list is checked against the installed apparmor_parser by test/grammar-vocabulary.test.ts.

/** Capability names (the kernel's, as /usr/share/apparmor-features lists them). */
export const CAPABILITIES: ReadonlySet<string> = new Set([
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'linux_immutable',
  'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot',
  'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease',
  'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read',
  'perfmon', 'bpf', 'checkpoint_restore',
]);

/** Address families of network rules. */
export const NETWORK_DOMAINS: ReadonlySet<string> = new Set([
  'unix', 'inet', 'ax25', 'ipx', 'appletalk', 'netrom', 'bridge', 'atmpvc', 'x25', 'inet6', 'rose', 'netbeui', 'security', 'key',
  'netlink', 'packet', 'ash', 'econet', 'atmsvc', 'rds', 'sna', 'irda', 'pppox', 'wanpipe', 'llc', 'ib', 'mpls', 'can', 'tipc',
  'bluetooth', 'iucv', 'rxrpc', 'isdn', 'phonet', 'ieee802154', 'caif', 'alg', 'nfc', 'vsock', 'kcm', 'qipcrtr', 'smc', 'xdp',
]);

export const NETWORK_TYPES: ReadonlySet<string> = new Set(['stream', 'dgram', 'seqpacket', 'rdm', 'raw', 'packet']);

export const NETWORK_PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'icmp']);

/** Signal names of `set=(…)`; `rtmin+N` is checked apart. */
export const SIGNALS: ReadonlySet<string> = new Set([
  'hup', 'int', 'quit', 'ill', 'trap', 'abrt', 'bus', 'fpe', 'kill', 'usr1', 'segv', 'usr2', 'pipe', 'alrm', 'term', 'stkflt',
  'chld', 'cont', 'stop', 'stp', 'ttin', 'ttou', 'urg', 'xcpu', 'xfsz', 'vtalrm', 'prof', 'winch', 'io', 'pwr', 'sys', 'emt',
  'exists',
]);

/** `rtmin+0` … `rtmin+32`. */
export const REALTIME_SIGNAL = /^rtmin\+(?:[0-9]|[12][0-9]|3[0-2])$/;

export const SIGNAL_PERMISSIONS: ReadonlySet<string> = new Set(['send', 'receive']);
export const PTRACE_PERMISSIONS: ReadonlySet<string> = new Set(['trace', 'read', 'tracedby', 'readby']);
export const UNIX_PERMISSIONS: ReadonlySet<string> = new Set([
  'create', 'bind', 'listen', 'accept', 'connect', 'shutdown', 'getattr', 'setattr', 'getopt', 'setopt', 'send', 'receive',
]);
export const UNIX_TYPES: ReadonlySet<string> = new Set(['stream', 'dgram', 'seqpacket', 'raw', 'rdm', 'packet']);
export const DBUS_PERMISSIONS: ReadonlySet<string> = new Set(['send', 'receive', 'bind', 'eavesdrop']);

/** Mount flags of `options=(…)` / `options in (…)`. */
export const MOUNT_OPTIONS: ReadonlySet<string> = new Set([
  'ro', 'rw', 'nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec', 'sync', 'async', 'remount', 'mand', 'nomand', 'dirsync',
  'noatime', 'atime', 'nodiratime', 'diratime', 'bind', 'rbind', 'move', 'verbose', 'silent', 'loud', 'acl', 'noacl',
  'unbindable', 'make-unbindable', 'runbindable', 'make-runbindable', 'private', 'make-private', 'rprivate', 'make-rprivate',
  'slave', 'make-slave', 'rslave', 'make-rslave', 'shared', 'make-shared', 'rshared', 'make-rshared', 'relatime', 'norelatime',
  'iversion', 'noiversion', 'strictatime', 'user', 'nouser',
]);

/** Profile flags a custom profile may set; `unconfined` (and AppArmor 4's `prompt`, `kill`, …) may not. */
export const PROFILE_FLAGS: ReadonlySet<string> = new Set([
  'attach_disconnected', 'no_attach_disconnected', 'mediate_deleted', 'delegate_deleted', 'chroot_relative', 'namespace_relative',
  'chroot_attach', 'chroot_no_attach', 'complain', 'audit',
]);

/** Variables tunables/global defines (Debian's apparmor 3.0), the only ones a path may use. */
export const PATH_VARIABLES: ReadonlySet<string> = new Set(['HOME', 'HOMEDIRS', 'PROC', 'sys', 'run', 'multiarch', 'pid', 'pids', 'tid', 'uid', 'uids', 'etc_ro', 'etc_rw']);

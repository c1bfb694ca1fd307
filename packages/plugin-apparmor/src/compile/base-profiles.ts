import type { Qualifier } from './qualifier.js';

// The bodies armorkit puts rules into. RuntimeDefault follows containerd's default profile (peers §1.2, with its
// /proc/sys fix) plus vArmor's two extra /proc denies (mem, kmem); AlwaysAllow allows every class of operation.

export const HEADER = ['', '## == Managed by armorkit == ##', '', 'abi <abi/3.0>,', '#include <tunables/global>', ''];

export const PROFILE_FLAGS = 'flags=(attach_disconnected,mediate_deleted)';

export function profileOpening(name: string, complain = false): string {
  return `profile ${name} ${complain ? 'flags=(attach_disconnected,mediate_deleted,complain)' : PROFILE_FLAGS} {`;
}

export const ALLOW_ALL = ['file,', 'capability,', 'network,', 'mount,', 'remount,', 'umount,', 'pivot_root,', 'ptrace,', 'signal,', 'dbus,', 'unix,'];

export interface Peers {
  /** The profile itself (`varmor-demo-demo-1` or `varmor-demo-demo-1//child_0`). */
  self: string;
  /** For a child profile: its parent. */
  parent?: string;
}

/**
 * containerd's default rules. `qualifier` replaces `deny` on the hardening lines, as vArmor does in EnhanceProtect
 * mode (so allowViolations also relaxes them); an allowed `x` needs an exec mode, hence `ix`.
 */
export function runtimeDefaultBody(qualifier: Qualifier, peers: Peers): string[] {
  const q = qualifier.prefix;
  const x = qualifier.allows ? 'ix' : 'x';
  const signals = peers.parent
    ? [
        '# the parent profile may signal its child profile',
        `signal (receive) peer=${peers.parent},`,
        '# processes of the child profile may signal each other',
        `signal (send,receive) peer=${peers.self},`,
      ]
    : ['# container processes may signal each other', `signal (send,receive) peer=${peers.self},`];
  const ptraces = peers.parent
    ? [
        '# the parent profile may trace its child profile, not the reverse',
        `ptrace (tracedby,readby) peer=${peers.parent},`,
        '# processes of the child profile may trace each other',
        `ptrace (trace,read,tracedby,readby) peer=${peers.self},`,
      ]
    : [
        '# container processes may trace each other (other LSMs and yama permitting)',
        `ptrace (trace,read,tracedby,readby) peer=${peers.self},`,
      ];
  return [
    'network,',
    'capability,',
    'file,',
    'umount,',
    '',
    '# host (unconfined) processes and the runtimes may signal container processes',
    'signal (receive) peer=unconfined,',
    'signal (receive) peer=runc,',
    'signal (receive) peer=crun,',
    ...signals,
    '',
    '# /proc: no writes except under /proc/<pid>/ and /proc/sys/kernel/shm*',
    `${q}@{PROC}/* w,`,
    `${q}@{PROC}/{[^1-9/],[^1-9/][^0-9/],[^1-9s/][^0-9y/][^0-9s/],[^1-9/][^0-9/][^0-9/][^0-9/]*}/** w,`,
    `${q}@{PROC}/sys/[^k]** w,`,
    `${q}@{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,`,
    `${q}@{PROC}/sysrq-trigger rwkl${x},`,
    `${q}@{PROC}/mem rwkl${x},`,
    `${q}@{PROC}/kmem rwkl${x},`,
    `${q}@{PROC}/kcore rwkl${x},`,
    '',
    `${q}mount,`,
    '',
    '# /sys: no writes outside /sys/fs/cgroup; nothing at all in firmware, powercap and securityfs',
    `${q}/sys/[^f]*/** wkl${x},`,
    `${q}/sys/f[^s]*/** wkl${x},`,
    `${q}/sys/fs/[^c]*/** wkl${x},`,
    `${q}/sys/fs/c[^g]*/** wkl${x},`,
    `${q}/sys/fs/cg[^r]*/** wkl${x},`,
    `${q}/sys/firmware/** rwkl${x},`,
    `${q}/sys/devices/virtual/powercap/** rwkl${x},`,
    `${q}/sys/kernel/security/** rwkl${x},`,
    '',
    ...ptraces,
  ];
}

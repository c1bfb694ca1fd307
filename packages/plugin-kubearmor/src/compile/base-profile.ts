import type { AppArmorHeader } from '../semantics/apparmor.js';

/**
 * The profile a KubeArmor container starts from (reference §3.2, KubeArmor's non-privileged default): the base
 * abstraction, the allow-all lines its posture keeps, and KubeArmor's POST block (/proc and /sys writes, mount).
 * Signals, ptrace between the container's own processes and unix sockets are allowed: KubeArmor does not mediate
 * them. The rules and child profiles are added by the AppArmor compiler (as a DefenseInDepth custom profile's).
 */
export function kubeArmorBaseProfile(profileName: string, header: AppArmorHeader): string {
  const allowAll = [header.file ? 'file,' : undefined, header.network ? 'network,' : undefined, header.capability ? 'capability,' : undefined].filter(
    (line): line is string => line !== undefined,
  );
  const body = [
    '#include <abstractions/base>',
    'umount,',
    `signal (send,receive) peer=${profileName},`,
    'signal (receive) peer=unconfined,',
    `ptrace (trace,read,tracedby,readby) peer=${profileName},`,
    'unix,',
    ...allowAll,
    '/lib/x86_64-linux-gnu/{*,**} rm,',
    // KubeArmor writes these as @{PROC}/{*,**^[0-9*],sys/kernel/shm*} wkx: /proc, except the process directories
    // (which start with 1-9) and /proc/sys/kernel/shm*. Spelt as containerd does; a class never starts a pid here.
    'deny @{PROC}/* wkx,',
    'deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9]*}/** wkx,',
    'deny @{PROC}/sys/[^k]** wkx,',
    'deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} wkx,',
    'deny @{PROC}/sysrq-trigger rwklx,',
    'deny @{PROC}/mem rwklx,',
    'deny @{PROC}/kmem rwklx,',
    'deny @{PROC}/kcore rwklx,',
    'deny /sys/[^f]*/** wklx,',
    'deny /sys/f[^s]*/** wklx,',
    'deny /sys/fs/[^c]*/** wklx,',
    'deny /sys/fs/c[^g]*/** wklx,',
    'deny /sys/fs/cg[^r]*/** wklx,',
    'deny /sys/firmware/efi/efivars/** rwklx,',
    'deny /sys/kernel/security/** rwklx,',
    'deny mount,',
  ];
  return [
    'abi <abi/3.0>,',
    '#include <tunables/global>',
    '',
    `profile ${profileName} flags=(attach_disconnected,mediate_deleted) {`,
    ...body.map((line) => `  ${line}`),
    '}',
    '',
  ].join('\n');
}

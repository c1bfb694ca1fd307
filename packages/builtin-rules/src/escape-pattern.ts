import { defineRule, type RuleDefinition } from '@armorkit/core';
import { ANY_MOUNT_FLAGS, BPF_DISK_DEVICE_PATTERN, REMOUNT_BIND_MOVE_UMOUNT_FLAGS, WRITE_APPEND, READ, READ_WRITE_APPEND, bpfFiles, rule } from './fragments.js';

// Hardening: container-escape vectors (reference §1.1.1).
const category = 'escape-pattern';
const section = 'hardening';
const both = ['AppArmor', 'BPF'] as const;

export const escapePatternRules: RuleDefinition[] = [
  defineRule(
    {
      id: 'disallow-write-core-pattern',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid writing /proc/sys/kernel/core_pattern, which runs a host program on a crash.',
    },
    {
      apparmor: { lines: [rule('/proc/sys/kernel/core_pattern w,')] },
      bpf: { files: bpfFiles(WRITE_APPEND, '/proc/sys/kernel/core_pattern') },
    },
  ),
  defineRule(
    {
      id: 'disallow-mount-securityfs',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid mounting securityfs (LSM control files) with read-write access.',
    },
    {
      apparmor: { lines: [rule('mount fstype=securityfs,')] },
      bpf: { mounts: [{ sourcePattern: '**', fstype: 'securityfs', flags: ANY_MOUNT_FLAGS, privilegedOnly: true }] },
    },
  ),
  defineRule(
    {
      id: 'disallow-mount-procfs',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid mounting a new procfs and bind-mounting, moving or remounting /proc to reach host proc files.',
    },
    {
      apparmor: {
        lines: [
          rule('mount fstype=proc,'),
          rule('mount options in (bind,rbind,move) /proc** -> /**,'),
          rule('mount options in (remount,bind,rbind) -> /proc**,'),
        ],
      },
      bpf: {
        mounts: [
          { sourcePattern: '**', fstype: 'proc', flags: ANY_MOUNT_FLAGS, privilegedOnly: true },
          { sourcePattern: '/proc**', fstype: 'none', flags: REMOUNT_BIND_MOVE_UMOUNT_FLAGS },
        ],
      },
    },
  ),
  defineRule(
    {
      id: 'disallow-write-release-agent',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid writing cgroup v1 release_agent files, which run a host program when a cgroup empties.',
    },
    {
      apparmor: { lines: [rule('/sys/fs/cgroup/**/release_agent w,')] },
      bpf: { files: bpfFiles(WRITE_APPEND, '/sys/fs/cgroup/**/release_agent') },
    },
  ),
  defineRule(
    {
      id: 'disallow-mount-cgroupfs',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid mounting a cgroup v1 filesystem and bind-mounting, moving or remounting /sys/fs/cgroup.',
    },
    {
      apparmor: {
        lines: [
          rule('mount fstype=cgroup,'),
          rule('mount options in (bind,rbind,move) /sys/fs/cgroup** -> /**,'),
          rule('mount options in (rbind) /sys** -> /**,'),
          rule('mount options in (remount,bind,rbind) -> /sys/fs/cgroup**,'),
        ],
      },
      bpf: {
        mounts: [
          { sourcePattern: '**', fstype: 'cgroup', flags: ANY_MOUNT_FLAGS, privilegedOnly: true },
          { sourcePattern: '/sys**', fstype: 'none', flags: REMOUNT_BIND_MOVE_UMOUNT_FLAGS },
        ],
      },
    },
  ),
  defineRule(
    {
      id: 'disallow-debug-disk-device',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid reading and writing the host disk devices (from /proc/partitions when the profile is loaded).',
    },
    {
      apparmor: { lines: [{ diskDevices: 'access' }] },
      bpf: { files: bpfFiles(READ_WRITE_APPEND, BPF_DISK_DEVICE_PATTERN) },
    },
  ),
  defineRule(
    {
      id: 'disallow-mount-disk-device',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid mounting the host disk devices (from /proc/partitions when the profile is loaded).',
    },
    {
      apparmor: { lines: [{ diskDevices: 'mount' }] },
      bpf: { mounts: [{ sourcePattern: BPF_DISK_DEVICE_PATTERN, fstype: '*', flags: ANY_MOUNT_FLAGS, privilegedOnly: true }] },
    },
  ),
  defineRule(
    {
      id: 'disallow-mount',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid every mount, remount, bind and move (non-privileged base profiles already do).',
    },
    {
      apparmor: { lines: [rule('mount,')] },
      bpf: { mounts: [{ sourcePattern: '**', fstype: '*', flags: ANY_MOUNT_FLAGS, privilegedOnly: true }] },
    },
  ),
  defineRule(
    {
      id: 'disallow-umount',
      section,
      category,
      enforcers: [...both],
      description: 'Forbid unmounting, which can uncover host paths hidden under container mounts.',
    },
    {
      apparmor: { lines: [rule('umount,')] },
      bpf: { mounts: [{ sourcePattern: '**', fstype: 'none', flags: ['umount'] }] },
    },
  ),
  defineRule(
    {
      id: 'disallow-insmod',
      section,
      category,
      privilegedOnly: true,
      enforcers: [...both],
      description: 'Forbid loading kernel modules (CAP_SYS_MODULE).',
    },
    { apparmor: { lines: [rule('capability sys_module,')] }, bpf: { capabilities: ['sys_module'] } },
  ),
  defineRule(
    {
      id: 'disallow-load-bpf-prog',
      aliases: ['disallow-load-ebpf'],
      section,
      category,
      enforcers: [...both],
      description: 'Forbid loading eBPF programs that need privilege (CAP_SYS_ADMIN and CAP_BPF).',
    },
    { apparmor: { lines: [rule('capability sys_admin,'), rule('capability bpf,')] }, bpf: { capabilities: ['sys_admin', 'bpf'] } },
  ),
  defineRule(
    {
      id: 'disallow-access-procfs-root',
      section,
      category,
      enforcers: [...both],
      description: "Forbid reading other processes' /proc/<pid>/root (ptrace read), a path to the host filesystem.",
    },
    {
      apparmor: { lines: [rule('ptrace read,')] },
      bpf: { ptrace: { permissions: ['read'], strictMode: false } },
    },
  ),
  defineRule(
    {
      id: 'disallow-access-kallsyms',
      section,
      category,
      enforcers: [...both],
      description: 'Forbid reading /proc/kallsyms (kernel symbol addresses that help defeat KASLR).',
    },
    { apparmor: { lines: [rule('/proc/kallsyms r,')] }, bpf: { files: bpfFiles(READ, '/proc/kallsyms') } },
  ),
];

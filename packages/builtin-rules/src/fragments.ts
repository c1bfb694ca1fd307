import { DISK_DEVICE_PATTERN, type AppArmorLine, type BpfFilePermission, type BpfFragment, type SeccompFragmentEntry } from '@armorkit/core';

// Small builders so the catalogue files read like the reference tables.

export const rule = (text: string): AppArmorLine => ({ rule: text });
export const exec = (path: string): AppArmorLine => ({ exec: path });

export const READ: BpfFilePermission[] = ['read'];
export const WRITE_APPEND: BpfFilePermission[] = ['write', 'append'];
export const READ_WRITE_APPEND: BpfFilePermission[] = ['read', 'write', 'append'];

export function bpfFiles(permissions: BpfFilePermission[], ...patterns: string[]): NonNullable<BpfFragment['files']> {
  return patterns.map((pattern) => ({ pattern, permissions: [...permissions] }));
}

export function bpfProcesses(...patterns: string[]): NonNullable<BpfFragment['processes']> {
  return patterns.map((pattern) => ({ pattern }));
}

/** Every mount flag name the BPF enforcer knows except `umount`: a new mount, remount, bind or move of any kind. */
export const ANY_MOUNT_FLAGS = [
  'ro', 'rw', 'nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec', 'sync', 'async', 'remount', 'mand', 'nomand',
  'dirsync', 'noatime', 'atime', 'nodiratime', 'diratime', 'bind', 'move', 'rbind', 'silent', 'loud', 'unbindable',
  'private', 'slave', 'shared', 'relatime', 'norelatime', 'iversion', 'noiversion', 'strictatime', 'nostrictatime',
];

/** Bind, recursive bind, remount, move and umount: re-exposing an existing tree elsewhere. */
export const REMOUNT_BIND_MOVE_UMOUNT_FLAGS = ['bind', 'rbind', 'remount', 'move', 'umount'];

export function seccompEntry(entry: SeccompFragmentEntry): SeccompFragmentEntry {
  return entry;
}

/**
 * BPF file/mount pattern standing for each disk device of the node (`/dev/<name>` per /proc/partitions entry); the BPF
 * loader expands it. Angle brackets cannot start a vArmor BPF pattern, so user rules never collide with it.
 */
export const BPF_DISK_DEVICE_PATTERN = DISK_DEVICE_PATTERN;

// mount(2) flags (include/uapi/linux/mount.h) and the names vArmor's mount rules use (reference §3.8).

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MS_I_VERSION = 1 << 23;
export const MS_STRICTATIME = 1 << 24;
/** Not a mount(2) flag: what umount(2) is checked as (AppArmor's AA_MAY_UMOUNT). */
export const MAY_UMOUNT = 0x200;

export const ALL_MOUNT_FLAGS = 0xffffffff;

/** Flags after which sb_mount ignores the filesystem type: the operation works on an existing mount. */
export const EXISTING_MOUNT_FLAGS = MS_REMOUNT | MS_BIND | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE | MS_MOVE | MAY_UMOUNT;

/** Names that set a flag: the rule matches when the flag is present. */
const PRESENT: Readonly<Record<string, number>> = {
  ro: MS_RDONLY,
  r: MS_RDONLY,
  'read-only': MS_RDONLY,
  nosuid: MS_NOSUID,
  nodev: MS_NODEV,
  noexec: MS_NOEXEC,
  sync: MS_SYNCHRONOUS,
  mand: MS_MANDLOCK,
  dirsync: MS_DIRSYNC,
  noatime: MS_NOATIME,
  nodiratime: MS_NODIRATIME,
  silent: MS_SILENT,
  relatime: MS_RELATIME,
  iversion: MS_I_VERSION,
  strictatime: MS_STRICTATIME,
  remount: MS_REMOUNT,
  bind: MS_BIND,
  B: MS_BIND,
  move: MS_MOVE,
  M: MS_MOVE,
  rbind: MS_BIND | MS_REC,
  R: MS_BIND | MS_REC,
  'make-unbindable': MS_UNBINDABLE,
  unbindable: MS_UNBINDABLE,
  'make-private': MS_PRIVATE,
  private: MS_PRIVATE,
  'make-slave': MS_SLAVE,
  slave: MS_SLAVE,
  'make-shared': MS_SHARED,
  shared: MS_SHARED,
  'make-runbindable': MS_REC | MS_UNBINDABLE,
  'make-rprivate': MS_REC | MS_PRIVATE,
  'make-rslave': MS_REC | MS_SLAVE,
  'make-rshared': MS_REC | MS_SHARED,
  umount: MAY_UMOUNT,
};

/** Names that clear a flag: the rule matches when the flag is absent (`rw` = not read-only). */
const ABSENT: Readonly<Record<string, number>> = {
  rw: MS_RDONLY,
  w: MS_RDONLY,
  suid: MS_NOSUID,
  dev: MS_NODEV,
  exec: MS_NOEXEC,
  async: MS_SYNCHRONOUS,
  nomand: MS_MANDLOCK,
  atime: MS_NOATIME,
  diratime: MS_NODIRATIME,
  loud: MS_SILENT,
  norelatime: MS_RELATIME,
  noiversion: MS_I_VERSION,
  nostrictatime: MS_STRICTATIME,
};

export interface MountFlagMasks {
  mountFlags: number;
  reverseMountFlags: number;
}

/** The masks of flag names (`all` = every flag either way), or the first unknown name. */
export function mountFlagMasks(names: readonly string[]): MountFlagMasks | { unknown: string } {
  let mountFlags = 0;
  let reverseMountFlags = 0;
  for (const name of names) {
    if (name === 'all' || name === '*') {
      mountFlags = ALL_MOUNT_FLAGS;
      reverseMountFlags = ALL_MOUNT_FLAGS;
    } else if (PRESENT[name] !== undefined) {
      mountFlags |= PRESENT[name];
    } else if (ABSENT[name] !== undefined) {
      reverseMountFlags |= ABSENT[name];
    } else {
      return { unknown: name };
    }
  }
  return { mountFlags: mountFlags >>> 0, reverseMountFlags: reverseMountFlags >>> 0 };
}

/** Flag names for an audit event (vArmor's MountFlagsMap spelling), the propagation combination first. */
export function mountFlagNames(flags: number): string[] {
  const names: string[] = [];
  const combos: [string, number][] = [
    ['make-runbindable', MS_REC | MS_UNBINDABLE],
    ['make-rprivate', MS_REC | MS_PRIVATE],
    ['make-rslave', MS_REC | MS_SLAVE],
    ['make-rshared', MS_REC | MS_SHARED],
    ['rbind', MS_BIND | MS_REC],
    ['bind', MS_BIND],
  ];
  const combo = combos.find(([, mask]) => (flags & mask) === mask);
  const covered = combo ? combo[1] : 0;
  if (combo) names.push(combo[0]);
  const singles: [string, number][] = [
    ['ro', MS_RDONLY],
    ['nosuid', MS_NOSUID],
    ['nodev', MS_NODEV],
    ['noexec', MS_NOEXEC],
    ['sync', MS_SYNCHRONOUS],
    ['remount', MS_REMOUNT],
    ['mand', MS_MANDLOCK],
    ['dirsync', MS_DIRSYNC],
    ['umount', MAY_UMOUNT],
    ['noatime', MS_NOATIME],
    ['nodiratime', MS_NODIRATIME],
    ['move', MS_MOVE],
    ['silent', MS_SILENT],
    ['unbindable', MS_UNBINDABLE],
    ['private', MS_PRIVATE],
    ['slave', MS_SLAVE],
    ['shared', MS_SHARED],
    ['relatime', MS_RELATIME],
    ['iversion', MS_I_VERSION],
    ['strictatime', MS_STRICTATIME],
  ];
  for (const [name, bit] of singles) if (flags & bit && !(covered & bit)) names.push(name);
  return names;
}

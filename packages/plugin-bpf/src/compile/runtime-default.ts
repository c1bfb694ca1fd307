import { ALL_MOUNT_FLAGS, MAY_UMOUNT } from './mount-flags.js';
import { parsePathPattern, type PathPattern } from './path-pattern.js';
import { MAY_APPEND, MAY_READ, MAY_WRITE, PTRACE_READ, PTRACE_TRACE } from './permissions.js';
import type { ProfileBuilder } from './profile-builder.js';
import type { RuleOrigin } from './profile.js';

/** Kernel interfaces a container never needs (reference §2.7): read, write and append are all denied. */
export const RUNTIME_DEFAULT_FILES = [
  '/proc/sysrq-trigger',
  '/proc/**/mem',
  '/proc/kmem',
  '/proc/kcore',
  '/sys/firmware/**',
  '/sys/devices/virtual/powercap/**',
  '/sys/kernel/security/**',
] as const;

const pattern = (text: string): PathPattern => {
  const parsed = parsePathPattern(text);
  if ('problem' in parsed) throw new TypeError(`runtime-default pattern ${text}: ${parsed.problem}`);
  return parsed.pattern;
};

/**
 * The base profile of a non-privileged container: the kernel files above, every mount, remount, bind and move
 * (umount stays allowed), and ptrace of tasks outside the container.
 */
export function addRuntimeDefault(builder: ProfileBuilder, mode: number, origin: RuleOrigin): void {
  for (const text of RUNTIME_DEFAULT_FILES) {
    builder.addFile({ mode, permissions: MAY_READ | MAY_WRITE | MAY_APPEND, pattern: pattern(text), origin });
  }
  builder.addMount({
    mode,
    pattern: pattern('**'),
    fstype: '*',
    mountFlags: (ALL_MOUNT_FLAGS & ~MAY_UMOUNT) >>> 0,
    reverseMountFlags: ALL_MOUNT_FLAGS,
    origin,
  });
  builder.addPtrace({ mode, permissions: PTRACE_TRACE | PTRACE_READ, strict: false, origin });
}

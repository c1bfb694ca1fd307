import { z } from 'zod';
import { bpfMountSourcePatternSchema } from './bpf-path-pattern.js';
import { bpfQualifiersSchema } from './bpf-qualifiers.js';

/** vArmor's documented mount flag names (AppArmor's MOUNT FLAGS LIST), with their aliases. */
export const MOUNT_FLAGS = [
  'all', '*',
  'ro', 'r', 'read-only', 'rw', 'w', 'suid', 'nosuid', 'dev', 'nodev', 'exec', 'noexec', 'sync', 'async', 'mand', 'nomand',
  'dirsync', 'atime', 'noatime', 'diratime', 'nodiratime', 'silent', 'loud', 'relatime', 'norelatime', 'iversion',
  'noiversion', 'strictatime', 'nostrictatime',
  'remount', 'bind', 'B', 'move', 'M', 'rbind', 'R', 'make-unbindable', 'unbindable', 'make-private', 'private',
  'make-slave', 'slave', 'make-shared', 'shared', 'make-runbindable', 'make-rprivate', 'make-rslave', 'make-rshared',
  'umount',
] as const;
export type MountFlag = (typeof MOUNT_FLAGS)[number];

/** The kernel's fstype buffer is 16 bytes including the NUL. */
export const FSTYPE_MAX_BYTES = 15;

export const mountRuleSchema = z.strictObject({
  qualifiers: bpfQualifiersSchema,
  /** Matched against mount(2)'s source, umount(2)'s target and move_mount(2)'s from path. */
  sourcePattern: bpfMountSourcePatternSchema,
  /** A filesystem type, or `*` for any. */
  fstype: z
    .string()
    .min(1)
    .superRefine((fstype, ctx) => {
      const bytes = Buffer.byteLength(fstype, 'utf8');
      if (bytes > FSTYPE_MAX_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `fstype ${JSON.stringify(fstype)} is ${bytes} bytes; the BPF enforcer allows at most ${FSTYPE_MAX_BYTES}`,
          params: { code: 'constraint' },
        });
      }
    }),
  flags: z.array(z.enum(MOUNT_FLAGS)).min(1),
});
export type MountRule = z.infer<typeof mountRuleSchema>;

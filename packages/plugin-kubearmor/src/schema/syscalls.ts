import { z } from 'zod';
import { matchPathSchema, matchSyscallPathSchema, messageSchema, severitySchema, syscallNameSchema, tagsSchema } from './leaf-types.js';

/** `SyscallFromSourceType`: unlike other rules' fromSource, a source directory (optionally recursive) is allowed. */
export const syscallSourceSchema = z.strictObject({
  path: matchPathSchema.optional(),
  dir: z.string().optional(),
  recursive: z.boolean().optional(),
});
export type SyscallSource = z.infer<typeof syscallSourceSchema>;

/** `syscalls.matchSyscalls[]`: these syscalls (from these sources). No severity, tags, message or action of its own. */
export const syscallRuleSchema = z.strictObject({
  syscall: z.array(syscallNameSchema).optional(),
  fromSource: z.array(syscallSourceSchema).optional(),
});
export type SyscallMatch = z.infer<typeof syscallRuleSchema>;

/** `syscalls.matchPaths[]`: these syscalls on a file or directory. */
export const syscallPathRuleSchema = z.strictObject({
  path: matchSyscallPathSchema.optional(),
  recursive: z.boolean().optional(),
  syscall: z.array(syscallNameSchema).optional(),
  fromSource: z.array(syscallSourceSchema).optional(),
});
export type SyscallPathMatch = z.infer<typeof syscallPathRuleSchema>;

/** `syscalls`: KubeArmor only audits syscalls, so there is no action at any level. */
export const syscallsSectionSchema = z.strictObject({
  matchSyscalls: z.array(syscallRuleSchema).optional(),
  matchPaths: z.array(syscallPathRuleSchema).optional(),
  severity: severitySchema.optional(),
  tags: tagsSchema.optional(),
  message: messageSchema.optional(),
});
export type SyscallsSection = z.infer<typeof syscallsSectionSchema>;

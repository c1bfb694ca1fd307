import { z } from 'zod';
import { bpfPathPatternSchema } from './bpf-path-pattern.js';
import { bpfQualifiersSchema } from './bpf-qualifiers.js';

export const FILE_PERMISSIONS = ['all', '*', 'read', 'r', 'write', 'w', 'exec', 'x', 'append', 'a'] as const;
export type FilePermission = (typeof FILE_PERMISSIONS)[number];

/** Permissions that make a BPF file rule and those that make an exec (process) rule. */
export const FILE_ACCESS_PERMISSIONS: readonly FilePermission[] = ['all', '*', 'read', 'r', 'write', 'w', 'append', 'a'];
export const EXEC_PERMISSIONS: readonly FilePermission[] = ['all', '*', 'exec', 'x'];

/** An entry of `bpfRawRules.files` or `.processes` (both lists feed file and exec rules alike). */
export const fileRuleSchema = z.strictObject({
  qualifiers: bpfQualifiersSchema,
  pattern: bpfPathPatternSchema,
  permissions: z.array(z.enum(FILE_PERMISSIONS)).min(1),
});
export type FileRule = z.infer<typeof fileRuleSchema>;

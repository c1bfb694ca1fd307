import { z } from 'zod';
import { bpfQualifiersSchema } from './bpf-qualifiers.js';

export const PTRACE_PERMISSIONS = ['all', '*', 'trace', 'read', 'traceby', 'readby'] as const;

export const ptraceRuleSchema = z.strictObject({
  qualifiers: bpfQualifiersSchema,
  /** false: only against processes outside the container; true: within it too. */
  strictMode: z.boolean().optional(),
  permissions: z.array(z.enum(PTRACE_PERMISSIONS)).min(1),
});
export type PtraceRule = z.infer<typeof ptraceRuleSchema>;

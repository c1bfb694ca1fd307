import { z } from 'zod';
import { alertFields, fromSourceSchema, matchBinSchema, matchDirectorySchema, matchPathSchema } from './leaf-types.js';

/** `process.matchPaths[]`: an executable by path, or by base name (`execname`); the CRD requires neither. */
export const processPathSchema = z.strictObject({
  path: matchPathSchema.optional(),
  execname: matchBinSchema.optional(),
  /** With Block: the binary runs only with these arguments (BPF-LSM only in KubeArmor). */
  allowedArgs: z.array(z.string()).max(20).optional(),
  ownerOnly: z.boolean().optional(),
  /** Only `false` changes anything: the rule then applies only to processes with a controlling terminal. */
  pts: z.boolean().optional(),
  fromSource: z.array(fromSourceSchema).optional(),
  ...alertFields,
});
export type ProcessPathMatch = z.infer<typeof processPathSchema>;

/** `process.matchDirectories[]`: executables directly in `dir` (all below it with `recursive`). */
export const processDirectorySchema = z.strictObject({
  dir: matchDirectorySchema,
  recursive: z.boolean().optional(),
  ownerOnly: z.boolean().optional(),
  pts: z.boolean().optional(),
  fromSource: z.array(fromSourceSchema).optional(),
  ...alertFields,
});
export type ProcessDirectoryMatch = z.infer<typeof processDirectorySchema>;

/** `process.matchPatterns[]`: an AppArmor glob; no fromSource, no readOnly. */
export const processPatternSchema = z.strictObject({
  pattern: z.string(),
  ownerOnly: z.boolean().optional(),
  ...alertFields,
});
export type ProcessPatternMatch = z.infer<typeof processPatternSchema>;

export const processSectionSchema = z.strictObject({
  matchPaths: z.array(processPathSchema).optional(),
  matchDirectories: z.array(processDirectorySchema).optional(),
  matchPatterns: z.array(processPatternSchema).optional(),
  ...alertFields,
});
export type ProcessSection = z.infer<typeof processSectionSchema>;

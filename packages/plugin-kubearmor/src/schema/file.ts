import { z } from 'zod';
import { alertFields, fromSourceSchema, matchDirectorySchema, matchPathSchema } from './leaf-types.js';

/** `file.matchPaths[]`: one file. */
export const filePathSchema = z.strictObject({
  path: matchPathSchema,
  readOnly: z.boolean().optional(),
  ownerOnly: z.boolean().optional(),
  pts: z.boolean().optional(),
  fromSource: z.array(fromSourceSchema).optional(),
  ...alertFields,
});
export type FilePathMatch = z.infer<typeof filePathSchema>;

/** `file.matchDirectories[]`: the directory and its direct children (all descendants with `recursive`). */
export const fileDirectorySchema = z.strictObject({
  dir: matchDirectorySchema,
  recursive: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  ownerOnly: z.boolean().optional(),
  pts: z.boolean().optional(),
  fromSource: z.array(fromSourceSchema).optional(),
  ...alertFields,
});
export type FileDirectoryMatch = z.infer<typeof fileDirectorySchema>;

/** `file.matchPatterns[]`: an AppArmor glob; no fromSource. */
export const filePatternSchema = z.strictObject({
  pattern: z.string(),
  readOnly: z.boolean().optional(),
  ownerOnly: z.boolean().optional(),
  ...alertFields,
});
export type FilePatternMatch = z.infer<typeof filePatternSchema>;

export const fileSectionSchema = z.strictObject({
  matchPaths: z.array(filePathSchema).optional(),
  matchDirectories: z.array(fileDirectorySchema).optional(),
  matchPatterns: z.array(filePatternSchema).optional(),
  ...alertFields,
});
export type FileSection = z.infer<typeof fileSectionSchema>;

import { z } from 'zod';

export const modelingOptionsSchema = z.strictObject({
  /** Minutes of modelling; vArmor refuses 0. */
  duration: z.number().int().positive(),
});
export type ModelingOptions = z.infer<typeof modelingOptionsSchema>;

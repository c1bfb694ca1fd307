import { z } from 'zod';

/** Kubernetes ObjectMeta: the fields armorkit reads are typed, every other field is kept as written. */
export const objectMetaSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

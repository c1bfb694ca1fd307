import { z } from 'zod';

// Kubernetes names (k8s.io/apimachinery validation): a name is a DNS-1123 subdomain, a namespace a DNS-1123 label.
// They become profile names, file names and AppArmor profile declarations, so nothing else may pass.
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const kubernetesNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(DNS_1123_SUBDOMAIN, 'a Kubernetes name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit');
export const kubernetesNamespaceSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(DNS_1123_LABEL, 'a Kubernetes namespace: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');

/** Kubernetes ObjectMeta: the fields armorkit reads are typed, every other field is kept as written. */
export const objectMetaSchema = z.looseObject({
  name: kubernetesNameSchema,
  namespace: kubernetesNamespaceSchema.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

import { z } from 'zod';

// AdmissionReview (admission.k8s.io/v1) as the API server sends and expects it. Only the fields the API server
// defines; unknown ones are kept (loose objects) so a newer API server's additions do not make a review unreadable.
// https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request

const groupVersionKind = z.looseObject({ group: z.string(), version: z.string(), kind: z.string() });
const groupVersionResource = z.looseObject({ group: z.string(), version: z.string(), resource: z.string() });

export const admissionOperationSchema = z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
export type AdmissionOperation = z.infer<typeof admissionOperationSchema>;

export const userInfoSchema = z.looseObject({
  username: z.string().optional(),
  uid: z.string().optional(),
  groups: z.array(z.string()).optional(),
  extra: z.record(z.string(), z.array(z.string())).optional(),
});

/** A Kubernetes object as JSON: what `object` and `oldObject` carry. */
export const kubernetesObjectSchema = z.record(z.string(), z.unknown());
export type KubernetesObject = z.infer<typeof kubernetesObjectSchema>;

export const admissionRequestSchema = z.looseObject({
  uid: z.string().min(1),
  kind: groupVersionKind,
  resource: groupVersionResource,
  subResource: z.string().optional(),
  requestKind: groupVersionKind.optional(),
  requestResource: groupVersionResource.optional(),
  requestSubResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: admissionOperationSchema,
  userInfo: userInfoSchema,
  object: kubernetesObjectSchema.nullish(),
  oldObject: kubernetesObjectSchema.nullish(),
  dryRun: z.boolean().optional(),
  options: kubernetesObjectSchema.nullish(),
});
export type AdmissionRequest = z.infer<typeof admissionRequestSchema>;

export const admissionStatusSchema = z.looseObject({
  code: z.number().int().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
});

export const admissionResponseSchema = z.strictObject({
  /** The request's uid, echoed. */
  uid: z.string(),
  allowed: z.boolean(),
  status: admissionStatusSchema.optional(),
  /** base64 of the JSON Patch (RFC 6902) document. */
  patch: z.string().optional(),
  patchType: z.literal('JSONPatch').optional(),
  auditAnnotations: z.record(z.string(), z.string()).optional(),
  warnings: z.array(z.string()).optional(),
});
export type AdmissionResponse = z.infer<typeof admissionResponseSchema>;

export const admissionReviewRequestSchema = z.looseObject({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: admissionRequestSchema,
});
export type AdmissionReviewRequest = z.infer<typeof admissionReviewRequestSchema>;

export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** One webhook path's logic: a parsed request in, the response out. Never throws (the server turns a throw into a refusal). */
export type AdmissionHandler = (request: AdmissionRequest) => Promise<AdmissionResponse>;

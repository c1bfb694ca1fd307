// @armorkit/plugin-k8s: armorkit on Kubernetes — CRDs generated from the schemas, the validating and mutating
// admission webhooks and their HTTPS server, manifests (docs/kubernetes.md).
export {
  admissionRequestSchema,
  admissionResponseSchema,
  admissionReviewRequestSchema,
  type AdmissionHandler,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewRequest,
  type AdmissionReviewResponse,
  type KubernetesObject,
} from './admission/review.js';
export {
  asWarnings,
  mutatingAdmission,
  type MutatingAdmissionOptions,
} from './mutate/admission.js';
export { mutateErrors } from './mutate/errors.js';
export { formatJson, formatPatch, type PatchOperation } from './mutate/json-patch.js';
export { cachedKubernetesVersion, parseKubernetesVersion, parseServerVersion, type ServerVersion } from './mutate/kubernetes-version.js';
export { DEFAULT_MATCH_LABEL, parseMatchLabel, type MatchLabel } from './mutate/match-policy.js';
export { MUTATED_AT_ANNOTATION, mutateWorkload, type MutateInput, type WorkloadMutation } from './mutate/mutate-workload.js';
export type { OperationStyle } from './mutate/patch-writer.js';
export { policiesFromObjects, policiesFromTexts, type ReadPolicies } from './mutate/policy-source.js';
export { readWorkload, WORKLOAD_KINDS, type Workload, type WorkloadKind } from './mutate/workload.js';

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

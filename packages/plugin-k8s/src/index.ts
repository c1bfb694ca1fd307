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

// The mutating webhook (docs/mutation.md)
export {
  asWarnings,
  mutatingAdmission,
  type MutatingAdmissionOptions,
} from './mutate/admission.js';
export { mutateErrors } from './mutate/errors.js';
export { formatJson, formatPatch, type PatchOperation } from './mutate/json-patch.js';
export { cachedKubernetesVersion, parseKubernetesVersion, parseServerVersion, type ServerVersion } from './mutate/kubernetes-version.js';
export { DEFAULT_MATCH_LABELS, formatMatchLabels, parseMatchLabels, type MatchLabels } from './mutate/match-labels.js';
export { MUTATED_AT_ANNOTATION, mutateWorkload, type MutateInput, type WorkloadMutation } from './mutate/mutate-workload.js';
export type { OperationStyle } from './mutate/patch-writer.js';
export { policiesFromObjects, policiesFromTexts, type ReadPolicies } from './mutate/policy-source.js';
export { readWorkload, WORKLOAD_KINDS, type Workload, type WorkloadKind } from './mutate/workload.js';
export { k8sErrorCatalogs, k8sErrors, type K8sErrorCode } from './errors.js';

// The webhook server (docs/kubernetes-webhooks.md)
export { startWebhookServer, type AdmissionRoutes, type WebhookServer, type WebhookServerOptions } from './server/webhook-server.js';
export { formatListenAddress, parseListenAddress, type ListenAddress } from './server/listen-address.js';
export { AdmissionMetrics } from './metrics/admission-metrics.js';
export { startMetricsServer, type MetricsServer } from './metrics/metrics-server.js';

// The validating webhook and vArmor's update rules
export { validatingWebhook, type ValidatingWebhookOptions } from './validate/validating-webhook.js';
export { checkPolicyUpdate } from './validate/update-rules.js';

// The policies of a cluster, watched: @armorkit/plugin-k8s/cluster

import { z } from 'zod';
import { parseYamlStream, type PolicyError } from '@armorkit/core';
import { LABEL_KEY, LABEL_VALUE } from '../mutate/label-syntax.js';
import { DEFAULT_MATCH_LABELS } from '../mutate/match-labels.js';
import { renderErrors } from './errors.js';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IMAGE_REPOSITORY = /^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?$/;
// Docker's tag grammar, within a label value's 63 characters (the tag is the app.kubernetes.io/version label too).
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const resourceList = z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), z.string().regex(QUANTITY, 'a Kubernetes quantity such as 100m or 128Mi'));
const resources = z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() });

export const FAILURE_POLICIES = ['Fail', 'Ignore'] as const;

/** What `armorkit k8s render --values` and the Helm chart's values.yaml configure; every key has a default. */
export const renderValuesSchema = z.strictObject({
  /** The namespace the manager and agent run in (cluster policies' profile names are `varmor-cluster-<namespace>-<name>`). */
  namespace: z.string().regex(DNS_1123_LABEL, 'a DNS-1123 label').max(63).default('armorkit'),
  image: z
    .strictObject({
      repository: z.string().regex(IMAGE_REPOSITORY, 'an image repository (registry/name, lower case)').default('armorkit/armorkit'),
      tag: z.string().regex(IMAGE_TAG, 'an image tag (letters, digits, _ . -; at most 63)').default('0.1.0'),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    })
    .prefault({}),
  webhook: z
    .strictObject({
      /** Validating webhook: Fail keeps an invalid policy out even while the webhook is down. */
      validatingFailurePolicy: z.enum(FAILURE_POLICIES).default('Fail'),
      /** Mutating webhooks: Ignore lets workloads start (unprotected) while the webhook is down, as vArmor does. */
      mutatingFailurePolicy: z.enum(FAILURE_POLICIES).default('Ignore'),
      timeoutSeconds: z.number().int().min(1).max(30).default(10),
      /** Only workloads with all these labels are mutated (and restarted); `{}` mutates every workload the policies match. */
      matchLabels: z.record(z.string().regex(LABEL_KEY, 'a label key'), z.string().regex(LABEL_VALUE, 'a label value')).default({ ...DEFAULT_MATCH_LABELS }),
      port: z.number().int().min(1024).max(65535).default(3443),
    })
    .prefault({}),
  certificates: z
    .strictObject({
      /** `generate`: armorkit (or Helm) makes the CA and serving certificate; `cert-manager`: cert-manager issues and injects them. */
      source: z.enum(['generate', 'cert-manager']).default('generate'),
      validityDays: z.number().int().min(1).max(3650).default(3650),
    })
    .prefault({}),
  manager: z
    .strictObject({
      /** Two: the webhook stays up through a node's loss, and the controller's Lease passes to the other replica. */
      replicas: z.number().int().min(1).max(10).default(2),
      /** The webhook's metrics. */
      metricsPort: z.number().int().min(1024).max(65535).default(8081),
      /** The controller's metrics (`armorkit k8s manager --metrics`). */
      controllerMetricsPort: z.number().int().min(1024).max(65535).default(8082),
      resources: resources.default({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } }),
    })
    .prefault({}),
  agent: z
    .strictObject({
      /** The node agent DaemonSet (`armorkit k8s agent`); without it no profile is loaded on any node. */
      enabled: z.boolean().default(true),
      /** The agent's readiness endpoint (`/health/readiness`), as vArmor's. */
      readinessPort: z.number().int().min(1024).max(65535).default(9580),
      resources: resources.default({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } }),
    })
    .prefault({}),
  kubearmor: z
    .strictObject({
      /**
       * KubeArmor's policies too (`--kubearmor` on the webhook and the controller): every pod a KubeArmorPolicy or
       * KubeArmorClusterPolicy selects gets its profile, so the pod webhook is sent every pod (no objectSelector).
       * Not with KubeArmor itself enforcing the same pods (docs/kubearmor.md#in-a-cluster).
       */
      enabled: z.boolean().default(false),
    })
    .prefault({}),
});
export type RenderValues = z.output<typeof renderValuesSchema>;
export type RenderValuesInput = z.input<typeof renderValuesSchema>;

/** The values with every default filled in. */
export function defaultValues(): RenderValues {
  return renderValuesSchema.parse({});
}

function pointerOf(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** Reads a values file (YAML or JSON, one document); every problem with its pointer and line:column. */
export function parseValues(text: string, file: string): { values?: RenderValues; errors: PolicyError[] } {
  const stream = parseYamlStream(text, file);
  if (stream.errors.length > 0) return { errors: stream.errors.map((error) => ({ ...error, code: 'k8s-values-syntax' })) };
  if (stream.documents.length > 1) {
    return { errors: [{ ...renderErrors.error('k8s-values-syntax', '', `${file} holds ${stream.documents.length} YAML documents; a values file is one`), location: { file } }] };
  }
  const document = stream.documents[0];
  // The YAML reader gives integers as bigint past 2^53 only; values hold small numbers, so any bigint is out of range.
  const data = document?.data ?? {};
  const result = renderValuesSchema.safeParse(data);
  if (result.success) return { values: result.data, errors: [] };
  return {
    errors: result.error.issues.map((issue) => {
      const pointer = pointerOf(issue.path);
      const position = document?.locate(pointer);
      const message = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}` : issue.message;
      return { ...renderErrors.error('k8s-values-invalid', pointer, message), location: { file, ...(document ? { document: document.index } : {}), ...position } };
    }),
  };
}

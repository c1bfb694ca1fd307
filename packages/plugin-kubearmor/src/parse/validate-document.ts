import { type PolicyError, type SourceDocument, coreErrors, validateDocument } from '@armorkit/core';
import {
  type AnyKubeArmorPolicy,
  KUBEARMOR_API_VERSION,
  kubeArmorClusterPolicySchema,
  kubeArmorHostPolicySchema,
  kubeArmorPolicySchema,
} from '../schema/policy.js';
import { kubeArmorNetworkPolicySchema } from '../schema/network-policy.js';
import { withoutNulls } from './without-nulls.js';
import { closestKind } from './closest-kind.js';

export const KUBEARMOR_API_GROUP = KUBEARMOR_API_VERSION.split('/')[0] ?? '';

/** Every kind of the API group; each is checked against its CRD. */
export const KUBEARMOR_KINDS = ['KubeArmorClusterPolicy', 'KubeArmorHostPolicy', 'KubeArmorNetworkPolicy', 'KubeArmorPolicy'] as const;
const KINDS: ReadonlySet<string> = new Set(KUBEARMOR_KINDS);

type Validated =
  | { kind: 'policy'; policy: AnyKubeArmorPolicy; errors: PolicyError[] }
  | { kind: 'network-policy'; errors: PolicyError[] }
  | { kind: 'invalid'; errors: PolicyError[] };

function members(data: unknown): Record<string, unknown> | undefined {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
}

/**
 * True when the document claims to be a KubeArmor object: by kind (so a wrong or missing apiVersion is reported,
 * not ignored) or by the API group (so a kind typo is reported, not ignored).
 */
export function isKubeArmorDocument(data: unknown): boolean {
  const object = members(data);
  if (!object) return false;
  const { kind, apiVersion } = object;
  return (typeof kind === 'string' && KINDS.has(kind)) || (typeof apiVersion === 'string' && apiVersion.startsWith(`${KUBEARMOR_API_GROUP}/`));
}

/**
 * Checks one document against the KubeArmor CRDs as the API server does (strict fields, enums, patterns searched,
 * lengths, bounds, required members; null members pruned first, as the API server prunes them). The three policy
 * kinds come back typed; a KubeArmorNetworkPolicy is checked against its CRD but gives no policy.
 */
export function validateKubeArmorDocument(document: SourceDocument): Validated {
  const at = (pointer: string, code: 'invalid-type' | 'invalid-value' | 'required', message: string, value?: unknown): PolicyError => ({
    ...coreErrors.error(code, pointer, message, value),
    location: { file: document.file, document: document.index, ...(document.locate(pointer) ?? {}) },
  });
  const object = members(document.data);
  if (!object) return { kind: 'invalid', errors: [at('', 'invalid-type', 'a KubeArmor policy must be a mapping with apiVersion, kind, metadata and spec')] };
  const kind = object.kind;
  if (typeof kind !== 'string') {
    const problem = kind === undefined ? at('/kind', 'required', 'kind is required') : at('/kind', 'invalid-type', 'kind must be a string');
    return { kind: 'invalid', errors: [problem] };
  }
  const pruned: SourceDocument = { ...document, data: withoutNulls(document.data) };
  // A missing apiVersion is a missing field (zod calls it a literal mismatch with nothing).
  const apiVersionProblem = (errors: PolicyError[]): PolicyError[] =>
    object.apiVersion !== undefined
      ? errors
      : errors.map((error) => (error.pointer === '/apiVersion' ? at('/apiVersion', 'required', `apiVersion is required: ${KUBEARMOR_API_VERSION}`) : error));
  const typed = ({ value, errors }: { value?: AnyKubeArmorPolicy; errors: PolicyError[] }): Validated =>
    value === undefined ? { kind: 'invalid', errors: apiVersionProblem(errors) } : { kind: 'policy', policy: value, errors };
  switch (kind) {
    case 'KubeArmorPolicy':
      return typed(validateDocument(pruned, kubeArmorPolicySchema));
    case 'KubeArmorClusterPolicy':
      return typed(validateDocument(pruned, kubeArmorClusterPolicySchema));
    case 'KubeArmorHostPolicy':
      return typed(validateDocument(pruned, kubeArmorHostPolicySchema));
    case 'KubeArmorNetworkPolicy':
      return { kind: 'network-policy', errors: apiVersionProblem(validateDocument(pruned, kubeArmorNetworkPolicySchema).errors) };
    default: {
      const message = `kind ${JSON.stringify(kind)} is not a kind of ${KUBEARMOR_API_VERSION}; did you mean ${JSON.stringify(closestKind(kind, KUBEARMOR_KINDS))}?`;
      return { kind: 'invalid', errors: [at('/kind', 'invalid-value', message, kind)] };
    }
  }
}

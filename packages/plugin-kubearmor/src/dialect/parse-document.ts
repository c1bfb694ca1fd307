import type { DialectResult, PolicyError, SourceDocument } from '@armorkit/core';
import { kubearmorErrors } from '../errors.js';
import type { ParsedKubeArmorPolicy } from '../parse/parsed-policy.js';
import { resolveKubeArmorPolicy } from '../parse/resolve-policy.js';
import { isKubeArmorDocument, validateKubeArmorDocument } from '../parse/validate-document.js';
import { type KubeArmorDialectOptions, kubeArmorPolicyIR } from './policy-ir.js';

/**
 * A document of a YAML stream as a KubeArmor policy: undefined when it is no KubeArmor object (a Deployment), the
 * CRD's reasons when the API server would refuse it, else the policy with its resolved rules.
 */
export function parseKubeArmorPolicy(document: SourceDocument): { policy?: ParsedKubeArmorPolicy; errors: PolicyError[] } | undefined {
  if (!isKubeArmorDocument(document.data)) return undefined;
  const parsed = parseValidated(document);
  return { ...parsed, errors: inDocumentOrder(parsed.errors) };
}

/** Errors sorted by position (zod reports a nested problem before its parent's), problems without one last. */
function inDocumentOrder(errors: readonly PolicyError[]): PolicyError[] {
  const key = (error: PolicyError) => [error.location?.line ?? Number.MAX_SAFE_INTEGER, error.location?.column ?? 0] as const;
  return [...errors].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
}

function parseValidated(document: SourceDocument): { policy?: ParsedKubeArmorPolicy; errors: PolicyError[] } {
  const validated = validateKubeArmorDocument(document);
  switch (validated.kind) {
    case 'invalid':
      return { errors: validated.errors };
    case 'network-policy': {
      if (validated.errors.length > 0) return { errors: validated.errors };
      const message = 'KubeArmorNetworkPolicy (nftables rules on the node) is valid, but armorkit does not enforce it; use a KubeArmorPolicy network section or a vArmor policy';
      return { errors: [{ ...kubearmorErrors.error('kubearmor/unsupported-kind', '/kind', message, 'KubeArmorNetworkPolicy'), location: located(document, '/kind') }] };
    }
    case 'policy': {
      const resolved = resolveKubeArmorPolicy(validated.policy, document);
      return { ...resolved, errors: resolved.errors.map((error) => ({ ...error, location: located(document, error.pointer) })) };
    }
  }
}

function located(document: SourceDocument, pointer: string): PolicyError['location'] {
  return { file: document.file, document: document.index, ...(document.locate(pointer) ?? {}) };
}

/** The parse hook's answer: the PolicyIR (with the parsed policy in `dialectPolicy.kubearmor`) or the errors. */
export function parseKubeArmorDocument(document: SourceDocument, options: KubeArmorDialectOptions = {}): DialectResult | undefined {
  const parsed = parseKubeArmorPolicy(document);
  if (!parsed) return undefined;
  if (!parsed.policy) return { errors: parsed.errors };
  return { policy: kubeArmorPolicyIR(parsed.policy, options), errors: parsed.errors };
}

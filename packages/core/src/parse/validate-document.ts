import type { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import type { PolicyError } from '../errors.js';
import type { SourceDocument } from '../source.js';
import { armorProfileModelSchema } from '../schema/varmor/armor-profile-model.js';
import { armorProfileSchema } from '../schema/varmor/armor-profile.js';
import {
  VARMOR_API_VERSION,
  varmorClusterPolicySchema,
  varmorPolicySchema,
  type VarmorPolicy,
} from '../schema/varmor/varmor-policy.js';
import { issuesToPolicyErrors } from './zod-issues.js';

const SCHEMAS_BY_KIND: Record<string, z.core.$ZodType> = {
  VarmorPolicy: varmorPolicySchema,
  VarmorClusterPolicy: varmorClusterPolicySchema,
  ArmorProfile: armorProfileSchema,
  ArmorProfileModel: armorProfileModelSchema,
};
export const VARMOR_KINDS = Object.keys(SCHEMAS_BY_KIND).sort();
export const VARMOR_API_GROUP_PREFIX = `${VARMOR_API_VERSION.split('/')[0]}/`;

/** Validates one document against a schema; all problems, with positions, and the typed value when there are none. */
export function validateDocument<T extends z.ZodType>(
  document: SourceDocument,
  schema: T,
): { value?: z.output<T>; errors: PolicyError[] } {
  const result = schema.safeParse(document.data, { reportInput: true });
  if (result.success) return { value: result.data, errors: [] };
  return { errors: issuesToPolicyErrors(result.error.issues, document, schema) };
}

/** The kinds that are policies; the other kinds of the group are objects vArmor makes (ArmorProfile) or records (ArmorProfileModel). */
export const VARMOR_POLICY_KINDS = ['VarmorClusterPolicy', 'VarmorPolicy'] as const;
const NOT_A_POLICY: ReadonlyMap<string, string> = new Map([
  ['ArmorProfile', "an ArmorProfile is what vArmor's controller makes from a policy"],
  ['ArmorProfileModel', 'an ArmorProfileModel is a behaviour model; armorkit takes it with --model'],
]);

/** The accepted kind a mistyped or mis-cased one most likely meant. */
function closestKind(kind: string, kinds: readonly string[]): string | undefined {
  const lower = kinds.map((k) => k.toLowerCase());
  return kinds[lower.indexOf(closest(kind.toLowerCase(), lower))];
}

/**
 * Checks a document of a YAML stream against vArmor's API; `kinds` are the kinds accepted (default: all of the group).
 * Policies come back typed; ArmorProfile and ArmorProfileModel documents are checked but give no policy; another kind
 * of the group is an error at /kind (with the accepted kind it most likely meant); other Kubernetes objects (a
 * Deployment next to the policy) give nothing.
 */
export function validateVarmorDocument(
  document: SourceDocument,
  options: { kinds?: readonly string[] } = {},
): { policy?: VarmorPolicy; errors: PolicyError[] } {
  const kinds = options.kinds ?? VARMOR_KINDS;
  const data = document.data;
  const at = (pointer: string, code: string, message: string, value?: unknown): PolicyError => {
    const position = document.locate(pointer);
    const error: PolicyError = { code, pointer, message, location: { file: document.file, document: document.index, ...(position ?? {}) } };
    return value === undefined ? error : { ...error, value };
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = data === null ? 'null' : Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    return { errors: [at('', 'invalid-type', `a document must be a mapping with apiVersion and kind, got ${got}`)] };
  }
  const { kind, apiVersion } = data as Record<string, unknown>;
  if (kind === undefined) {
    return { errors: [at('/kind', 'required', 'kind is required: every Kubernetes object names its kind')] };
  }
  if (typeof kind !== 'string') {
    return { errors: [at('/kind', 'invalid-type', 'kind must be a string')] };
  }
  const schema = kinds.includes(kind) ? SCHEMAS_BY_KIND[kind] : undefined;
  if (!schema) {
    if (typeof apiVersion !== 'string' || !apiVersion.startsWith(VARMOR_API_GROUP_PREFIX)) return { errors: [] };
    const expected = kinds.join(' or ');
    const note = NOT_A_POLICY.get(kind);
    if (note) {
      return { errors: [at('/kind', 'not-a-policy', `kind ${JSON.stringify(kind)} is not a policy; expected ${expected} (${note})`, kind)] };
    }
    const message = `kind ${JSON.stringify(kind)} is not a kind of ${VARMOR_API_VERSION}; did you mean ${JSON.stringify(closestKind(kind, kinds))}?`;
    return { errors: [at('/kind', 'invalid-value', message, kind)] };
  }
  const { value, errors } = validateDocument(document, schema as z.ZodType);
  if (value === undefined || (kind !== 'VarmorPolicy' && kind !== 'VarmorClusterPolicy')) return { errors };
  return { policy: value as VarmorPolicy, errors };
}

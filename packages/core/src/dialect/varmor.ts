import { splitEnforcerString } from '../enforcer.js';
import type { DialectResult } from '../engine/hooks.js';
import { definePlugin } from '../engine/plugin.js';
import type { PolicyIR } from '../ir.js';
import { VARMOR_API_GROUP_PREFIX, VARMOR_POLICY_KINDS, validateVarmorDocument } from '../parse/validate-document.js';
import { profileNameFor } from '../schema/varmor/index.js';
import type { SourceDocument } from '../source.js';
import { corePackage } from '../package-meta.js';

export interface VarmorDialectOptions {
  /** Namespace cluster-scoped policies' profiles are named after (vArmor's own namespace). Default `varmor`. */
  varmorNamespace?: string;
}

const KINDS: ReadonlySet<string> = new Set(VARMOR_POLICY_KINDS);

/**
 * True when the document claims to be a vArmor policy (by kind, so a wrong apiVersion is reported, not ignored) or is
 * of vArmor's group (so a kind that is no policy, or a typo of one, is reported, not ignored).
 */
function isVarmorDocument(document: SourceDocument): boolean {
  const data = document.data as { kind?: unknown; apiVersion?: unknown } | null;
  if (typeof data !== 'object' || data === null) return false;
  return (typeof data.kind === 'string' && KINDS.has(data.kind)) || (typeof data.apiVersion === 'string' && data.apiVersion.startsWith(VARMOR_API_GROUP_PREFIX));
}

export function parseVarmorDocument(document: SourceDocument, options: VarmorDialectOptions = {}): DialectResult | undefined {
  if (!isVarmorDocument(document)) return undefined;
  const { policy, errors } = validateVarmorDocument(document, { kinds: VARMOR_POLICY_KINDS });
  if (!policy) return { errors };
  const clusterScoped = policy.kind === 'VarmorClusterPolicy';
  const varmorNamespace = options.varmorNamespace ?? 'varmor';
  const ir: PolicyIR = {
    dialect: 'varmor',
    kind: policy.kind,
    name: policy.metadata.name,
    namespace: clusterScoped ? varmorNamespace : (policy.metadata.namespace ?? 'default'),
    clusterScoped,
    labels: policy.metadata.labels ?? {},
    profileName: profileNameFor(policy, { varmorNamespace }),
    enforcers: splitEnforcerString(policy.spec.policy.enforcer).enforcers,
    spec: policy.spec,
    source: document,
    specPointer: '/spec',
  };
  return { policy: ir, errors };
}

/** vArmor's API (crd.varmor.org/v1beta1) as a dialect; core registers it in every default engine. */
export const varmorDialect = definePlugin((options: VarmorDialectOptions = {}) => ({
  name: 'varmor-dialect',
  meta: { name: corePackage.name, version: corePackage.version },
  apply(engine) {
    engine.hooks.parse.tap('varmor-dialect', (document) => parseVarmorDocument(document, options));
  },
}));

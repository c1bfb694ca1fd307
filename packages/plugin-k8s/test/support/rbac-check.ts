// Kubernetes RBAC authorization, for tests: what the API server would check for each request the double recorded
// (its RequestInfo: verb, API group, resource, subresource, namespace, name) against the rules of the rendered
// ClusterRoles and Roles, matched as the RBAC authorizer does (rbac/v1 evaluation_helpers.go).
import type { RecordedCall } from './api-double.js';
import { parseResourcePath } from './api-double/resources.js';

export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  /** '' for a cluster-scoped object or a request across all namespaces. */
  namespace: string;
  name: string;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** A role's rules and where they apply: a ClusterRole bound by a ClusterRoleBinding (everywhere) or a Role bound in its namespace. */
export interface BoundRules {
  namespace?: string;
  rules: readonly PolicyRule[];
}

const describe = (a: RequestAttributes) => `${a.verb} ${a.apiGroup || 'core'}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}${a.name ? ` named ${a.name}` : ''}`;
export { describe as describeAttributes };

/** The RequestInfo of one recorded request; undefined for a non-resource path (`/version`). */
export function attributesOf(call: Pick<RecordedCall, 'method' | 'path' | 'query'>): RequestAttributes | undefined {
  const parsed = parseResourcePath(call.path);
  if (!parsed) return undefined;
  const [, prefix, group] = call.path.split('/');
  const apiGroup = prefix === 'api' ? '' : (group ?? '');
  const resource = parsed.collection.split('/').at(-1)!;
  const watch = call.query.get('watch') === 'true' || call.query.get('watch') === '1';
  const named = parsed.name !== undefined;
  const verb = {
    GET: watch ? 'watch' : named ? 'get' : 'list',
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: named ? 'delete' : 'deletecollection',
  }[call.method];
  if (!verb) throw new Error(`no RBAC verb for ${call.method}`);
  return { verb, apiGroup, resource, subresource: parsed.subresource ?? '', namespace: parsed.namespace ?? '', name: parsed.name ?? '' };
}

/**
 * What OwnerReferencesPermissionEnforcement asks of a create or update whose object has an owner reference with
 * blockOwnerDeletion: `update` of the owner's `finalizers` subresource. Owners are found by kind among `plurals`.
 */
export function impliedByOwnerReferences(call: RecordedCall, plurals: Readonly<Record<string, { apiGroup: string; resource: string; namespaced: boolean }>>): RequestAttributes[] {
  if (call.method !== 'POST' && call.method !== 'PUT') return [];
  const body = call.body as { metadata?: { namespace?: string; ownerReferences?: { kind: string; name: string; blockOwnerDeletion?: boolean }[] } } | undefined;
  const namespace = attributesOf(call)?.namespace ?? body?.metadata?.namespace ?? '';
  return (body?.metadata?.ownerReferences ?? [])
    .filter((owner) => owner.blockOwnerDeletion === true)
    .map((owner) => {
      const where = plurals[owner.kind];
      if (!where) throw new Error(`no resource known for owner kind ${owner.kind}`);
      return { verb: 'update', apiGroup: where.apiGroup, resource: where.resource, subresource: 'finalizers', namespace: where.namespaced ? namespace : '', name: owner.name };
    });
}

function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  const verbs = rule.verbs.includes('*') || rule.verbs.includes(a.verb);
  const groups = (rule.apiGroups ?? []).some((group) => group === '*' || group === a.apiGroup);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = (rule.resources ?? []).some((resource) => resource === '*' || resource === combined || (a.subresource !== '' && resource === `*/${a.subresource}`));
  const names = (rule.resourceNames ?? []).length === 0 || (rule.resourceNames ?? []).includes(a.name);
  return verbs && groups && resources && names;
}

/** Whether any bound rule allows the request (a Role only for requests in its own namespace). */
export function allows(bound: readonly BoundRules[], a: RequestAttributes): boolean {
  return bound.some((role) => (role.namespace === undefined || role.namespace === a.namespace) && role.rules.some((rule) => ruleAllows(rule, a)));
}

/** `verb group/resource[/subresource]`: one grant of a rule, to compare what is granted with what is used. */
export const grantKey = (verb: string, apiGroup: string, resource: string) => `${verb} ${apiGroup || 'core'}/${resource}`;

export function grantsOf(bound: readonly BoundRules[]): Set<string> {
  const keys = new Set<string>();
  for (const role of bound) for (const rule of role.rules) for (const verb of rule.verbs) for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) keys.add(grantKey(verb, group, resource));
  return keys;
}

export const usedKey = (a: RequestAttributes) => grantKey(a.verb, a.apiGroup, a.subresource ? `${a.resource}/${a.subresource}` : a.resource);

import type { KubeArmorTarget } from '../parse/parsed-policy.js';
import { labelIdentities, matchesIdentityExpressions } from './identities.js';

/** What a pod selector looks at. */
export interface PodIdentity {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

type PodTarget = Extract<KubeArmorTarget, { kind: 'pods' | 'cluster' }>;

function valuesOf(expressions: readonly { key?: string | undefined; operator?: string | undefined; values?: string[] | undefined }[], key: string, operator: string): string[] {
  return expressions.filter((expression) => expression.key === key && expression.operator === operator).flatMap((expression) => expression.values ?? []);
}

/**
 * Whether a KubeArmorPolicy or KubeArmorClusterPolicy selects the pod (its containers: see `target.containers`).
 * KubeArmorPolicy: the policy's namespace, every matchLabels label, and the label expressions. KubeArmorClusterPolicy:
 * `namespace In` (any of the values) and `namespace NotIn` (none of them), then the label expressions; no selector
 * selects every pod.
 */
export function selectsPod(target: PodTarget, pod: PodIdentity): boolean {
  const identities = labelIdentities(pod.labels);
  if (target.kind === 'pods') {
    if (pod.namespace !== target.namespace) return false;
    if (!Object.entries(target.matchLabels).every(([key, value]) => pod.labels[key] === value)) return false;
  } else {
    const namespaces = valuesOf(target.matchExpressions, 'namespace', 'In');
    if (namespaces.length > 0 && !namespaces.includes(pod.namespace)) return false;
    if (valuesOf(target.matchExpressions, 'namespace', 'NotIn').includes(pod.namespace)) return false;
  }
  return matchesIdentityExpressions(identities, valuesOf(target.matchExpressions, 'label', 'In'), valuesOf(target.matchExpressions, 'label', 'NotIn'));
}

/** Whether the policy applies to a container of a selected pod: every container unless the selector names some. */
export function selectsContainer(target: KubeArmorTarget, container: string): boolean {
  return target.kind !== 'pods' || target.containers.length === 0 || target.containers.includes(container);
}

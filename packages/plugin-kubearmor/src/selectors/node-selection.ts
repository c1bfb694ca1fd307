import type { KubeArmorTarget } from '../parse/parsed-policy.js';

/** What a host policy's nodeSelector looks at. */
export interface NodeIdentity {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** The identity KubeArmor's daemon always gives its node, whatever its labels. */
export const HOSTNAME_LABEL = 'kubearmor.io/hostname';

/** A label's value with `*` as "anything", the rest literal, matched against the whole value. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * Whether a KubeArmorHostPolicy applies to the node: every matchLabels entry must match one of the node's labels
 * (plus `kubearmor.io/hostname=<name>`), as KubeArmor reads them: an exact value, `*` (the key is present), a
 * comma list (any of the values), or a key ending in `reg` (`kubearmor.io/hostnamereg: node-*`: the value of the key
 * without `reg`, `*` as a wildcard). No labels: every node.
 */
export function selectsNode(target: Extract<KubeArmorTarget, { kind: 'host' }>, node: NodeIdentity): boolean {
  const labels: Record<string, string> = { ...node.labels, [HOSTNAME_LABEL]: node.name };
  return Object.entries(target.nodeLabels).every(([key, value]) => {
    if (key.endsWith('reg') && !Object.hasOwn(labels, key)) {
      const actual = labels[key.slice(0, -'reg'.length)];
      return actual !== undefined && wildcard(value).test(actual);
    }
    const actual = Object.hasOwn(labels, key) ? labels[key] : undefined;
    if (actual === undefined) return false;
    if (value === '*') return true;
    return value.split(',').some((item) => item.trim() === actual);
  });
}

import type { PolicyIR } from '@armorkit/core';

export type LabelSelector = NonNullable<PolicyIR['spec']['target']['selector']>;

/** Kubernetes' LabelSelector semantics: every matchLabels pair and every requirement; an empty selector matches all. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const has = (key: string) => Object.hasOwn(labels, key);
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => has(key) && labels[key] === value);
  return (
    pairs &&
    (selector.matchExpressions ?? []).every((requirement) => {
      const values = requirement.values ?? [];
      switch (requirement.operator) {
        case 'In':
          return has(requirement.key) && values.includes(labels[requirement.key]!);
        case 'NotIn':
          return !has(requirement.key) || !values.includes(labels[requirement.key]!);
        case 'Exists':
          return has(requirement.key);
        case 'DoesNotExist':
          return !has(requirement.key);
      }
      return false;
    })
  );
}

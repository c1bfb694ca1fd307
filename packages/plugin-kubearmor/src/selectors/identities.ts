/** `key=value` strings, KubeArmor's form of labels in selectors (matchExpressions values, node identities). */
export function labelIdentities(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .sort();
}

/**
 * KubeArmor's expression semantics for `key=value` identities, with one quirk fixed: every `In` value of every
 * expression is pooled (one present selects), and every `NotIn` value excludes. KubeArmor ignores a NotIn that comes
 * after an In in the list (and lets a NotIn before an In override it); here order does not matter.
 */
export function matchesIdentityExpressions(identities: readonly string[], included: readonly string[], excluded: readonly string[]): boolean {
  const have = new Set(identities);
  if (included.length > 0 && !included.some((identity) => have.has(identity))) return false;
  return !excluded.some((identity) => have.has(identity));
}

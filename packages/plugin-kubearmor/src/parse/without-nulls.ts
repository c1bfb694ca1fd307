/**
 * The value with every `null` member of a mapping removed, as the API server prunes nulls from fields that are not
 * nullable (none of KubeArmor's are) before it validates: `matchExpressions: null` (a placeholder in KubeArmor's own
 * templates) is an absent field, not a type error. Null list items stay, and are errors.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== null) Object.defineProperty(kept, key, { value: withoutNulls(member), enumerable: true, writable: true, configurable: true });
  }
  return kept;
}

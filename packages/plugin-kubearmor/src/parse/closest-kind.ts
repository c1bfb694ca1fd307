import { closest } from 'fastest-levenshtein';

/** The kind a mistyped or mis-cased one most likely meant. */
export function closestKind(kind: string, kinds: readonly string[]): string | undefined {
  const lower = kinds.map((k) => k.toLowerCase());
  return kinds[lower.indexOf(closest(kind.toLowerCase(), lower))];
}

import { closest, distance } from 'fastest-levenshtein';

/** The known word `word` most likely meant: one that ends it (`cap_net_raw` → `net_raw`), else a close one. */
export function suggestion(word: string, known: readonly string[]): string | undefined {
  if (word === '' || known.length === 0) return undefined;
  const lower = word.toLowerCase();
  const suffix = [...known].sort((a, b) => b.length - a.length).find((candidate) => lower.endsWith(candidate));
  if (suffix) return suffix;
  const best = closest(lower, [...known]);
  return distance(lower, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

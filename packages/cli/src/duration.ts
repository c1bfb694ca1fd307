/**
 * `--duration`: Go-style (`90s`, `5m`, `1h30m`) or a bare number of minutes, as vArmor's modelingOptions.duration.
 * Milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 60_000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce((total, part) => total + Number(part[1]) * units[part[2]!]!, 0);
}

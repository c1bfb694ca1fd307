// Types of bench/audit-log.mjs (plain JavaScript, run by node directly) for the tests that import it.

/** Events written, by enforcer (auditLog counts them as it goes). */
export interface AuditLogCounts {
  apparmor: number;
  seccomp: number;
  [key: string]: number;
}

/** mulberry32: a seeded generator of numbers in [0, 1). */
export function random(seed: number): () => number;

/** `lines` lines of a seeded auditd log (ENRICHED); `expected` counts the events. */
export function auditLog(lines: number, expected?: AuditLogCounts, seed?: number): Generator<string, void, undefined>;

/** One mutation of an audit line (reordered, dropped or duplicated fields, other transports, stray bytes, ...). */
export function fuzzAuditLine(line: string, next: () => number): string;

/** `variants` fuzzed variants of each line, the same for the same seed. */
export function fuzzedVariants(lines: readonly string[], variants: number, seed: number): string[];

/** JSON with key order, `undefined` fields and NaN spelt out: what the differential tests compare. */
export function exactJson(event: unknown): string;

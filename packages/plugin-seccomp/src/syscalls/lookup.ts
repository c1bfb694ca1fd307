import { closest, distance } from 'fastest-levenshtein';
import { ARCHES, type FilterArch } from '../arch.js';
import { otherAbiSyscallNames } from './other-abis.js';

const namesByNumber: Record<FilterArch, ReadonlyMap<number, string>> = {
  x86_64: invert(ARCHES.x86_64.syscalls),
  aarch64: invert(ARCHES.aarch64.syscalls),
};

function invert(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([name, nr]) => [nr, name]));
}

/** The number of `name` on `arch`, or undefined. */
export function syscallNumber(arch: FilterArch, name: string): number | undefined {
  return Object.hasOwn(ARCHES[arch].syscalls, name) ? ARCHES[arch].syscalls[name] : undefined;
}

/** The name of system call `nr` on `arch`, or undefined. */
export function syscallName(arch: FilterArch, nr: number): string | undefined {
  return namesByNumber[arch].get(nr);
}

/** Every system call of `arch` as [name, number], by number. */
export function syscallEntries(arch: FilterArch): readonly (readonly [string, number])[] {
  return [...namesByNumber[arch]].map(([nr, name]) => [name, nr] as const).sort((a, b) => a[1] - b[1]);
}

/** True when `name` is a system call of some Linux ABI, this one or another. */
export function isKnownSyscallName(name: string): boolean {
  return otherAbiSyscallNames.has(name) || FILTER_ARCH_NAMES.some((arch) => syscallNumber(arch, name) !== undefined);
}

const FILTER_ARCH_NAMES: readonly FilterArch[] = ['x86_64', 'aarch64'];
const ALL_NAMES: readonly string[] = [
  ...new Set([...Object.keys(ARCHES.x86_64.syscalls), ...Object.keys(ARCHES.aarch64.syscalls), ...otherAbiSyscallNames]),
].sort();

/** The nearest known system call names to a misspelt one (edit distance ≤ 3), best first; at most `limit`. */
export function suggestSyscall(name: string, limit = 3): string[] {
  const best = closest(name, ALL_NAMES as string[]);
  const ranked = ALL_NAMES.map((candidate) => ({ candidate, cost: distance(name, candidate) }))
    .filter(({ cost }) => cost <= Math.max(1, Math.min(3, Math.floor(name.length / 3))))
    .sort((a, b) => a.cost - b.cost || a.candidate.localeCompare(b.candidate))
    .map(({ candidate }) => candidate);
  const withPrefix = ALL_NAMES.filter((candidate) => name.length >= 4 && candidate.startsWith(name) && !ranked.includes(candidate));
  const result = [...ranked, ...withPrefix].slice(0, limit);
  return result.length > 0 ? result : distance(name, best) <= 3 ? [best] : [];
}

import type { LinuxSeccompArg } from '@armorkit/core/schema';
import { isDeepStrictEqual } from 'node:util';

const isPrimitive = (value: unknown): boolean => value === null || (typeof value !== 'object' && typeof value !== 'function');

/**
 * isDeepStrictEqual for two seccomp arguments, without its generic walk (it was most of compiling a rule's syscalls):
 * the same own enumerable keys, each value the same by Object.is, the same prototype. Two different primitives under
 * one key answer false at once (what isDeepStrictEqual answers). Arguments otherwise equal that hold a value other
 * than a primitive, a symbol key or a prototype other than Object's (or null) go to isDeepStrictEqual itself, so the
 * answer is always isDeepStrictEqual's.
 */
export function sameArg(a: LinuxSeccompArg, b: LinuxSeccompArg): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  const theirKeys = Object.keys(b);
  if (keys.length !== theirKeys.length) return false;
  const left: Readonly<Record<string, unknown>> = a;
  const right: Readonly<Record<string, unknown>> = b;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    // The same count of own enumerable keys, each of a's among b's: the same set.
    if (theirKeys[i] !== key && !theirKeys.includes(key)) return false;
    const mine = left[key];
    const theirs = right[key];
    if (Object.is(mine, theirs)) continue;
    return isPrimitive(mine) && isPrimitive(theirs) ? false : isDeepStrictEqual(a, b);
  }
  const prototype: unknown = Object.getPrototypeOf(a);
  if (prototype !== Object.getPrototypeOf(b)) return false;
  // Not a plain object (a Map, a boxed number...): isDeepStrictEqual compares more than its keys.
  if (prototype !== Object.prototype && prototype !== null) return isDeepStrictEqual(a, b);
  if (Object.getOwnPropertySymbols(a).length > 0 || Object.getOwnPropertySymbols(b).length > 0) return isDeepStrictEqual(a, b);
  return true;
}

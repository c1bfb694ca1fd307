import type { LinuxSeccompArg } from '@armorkit/core/schema';
import { isDeepStrictEqual } from 'node:util';

const isEnumerable = (value: object, key: string): boolean => Object.prototype.propertyIsEnumerable.call(value, key);
const isPrimitive = (value: unknown): boolean => value === null || (typeof value !== 'object' && typeof value !== 'function');

/**
 * isDeepStrictEqual for two seccomp arguments, without its generic walk (it was most of compiling a rule's syscalls):
 * the same prototype, the same own enumerable keys, each value the same by Object.is. A value that is not a
 * primitive, or a symbol key, falls back to isDeepStrictEqual itself, so the answer is always isDeepStrictEqual's.
 */
export function sameArg(a: LinuxSeccompArg, b: LinuxSeccompArg): boolean {
  if (a === b) return true;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  const left: Readonly<Record<string, unknown>> = a;
  const right: Readonly<Record<string, unknown>> = b;
  let same = true;
  for (const key of keys) {
    const mine = left[key];
    const theirs = right[key];
    if (!isPrimitive(mine) || !isPrimitive(theirs)) return isDeepStrictEqual(a, b);
    if (!isEnumerable(b, key) || !Object.is(mine, theirs)) same = false;
  }
  if (Object.getOwnPropertySymbols(a).length > 0 || Object.getOwnPropertySymbols(b).length > 0) return isDeepStrictEqual(a, b);
  return same;
}

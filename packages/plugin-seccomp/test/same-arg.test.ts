import type { LinuxSeccompArg } from '@armorkit/core/schema';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sameArg } from '../src/profile/same-arg.js';

// Few values, so that equal pairs are frequent; numbers, bigints and strings of the same quantity, -0, an absent
// valueTwo and one present as undefined, other key orders, a non-plain prototype, a nested value, a symbol key.
const quantity = fc
  .constantFrom<unknown>(0, -0, 1, 1n, '1', 2, 2n, 2 ** 53, NaN, undefined, null, { n: 1 }, [1])
  // A new object each time, so that two equal ones are not one.
  .map((value) => (typeof value === 'object' && value !== null ? structuredClone(value) : value));
const argument = fc
  .record(
    {
      index: fc.constantFrom<unknown>(0, 1, '0'),
      value: quantity,
      valueTwo: quantity,
      op: fc.constantFrom<unknown>('SCMP_CMP_EQ', 'SCMP_CMP_MASKED_EQ'),
      extra: fc.constantFrom<unknown>(0, 'x'),
    },
    { requiredKeys: ['index', 'value'] },
  )
  .chain((fields) =>
    fc.tuple(fc.constant(fields), fc.boolean(), fc.constantFrom('plain', 'null-prototype', 'symbol', 'hidden')),
  )
  .map(([fields, reversed, shape]) => {
    const entries = Object.entries(fields);
    if (reversed) entries.reverse();
    const made: Record<string | symbol, unknown> = shape === 'null-prototype' ? Object.create(null) : {};
    for (const [key, value] of entries) made[key] = value;
    if (shape === 'symbol') made[Symbol.for('s')] = 1;
    if (shape === 'hidden') Object.defineProperty(made, 'op', { value: 'SCMP_CMP_EQ', enumerable: false });
    return made as unknown as LinuxSeccompArg;
  });

describe('sameArg', () => {
  it('answers as isDeepStrictEqual on any two arguments', () => {
    fc.assert(
      fc.property(argument, argument, (a, b) => {
        expect(sameArg(a, b)).toBe(isDeepStrictEqual(a, b));
        expect(sameArg(a, { ...a })).toBe(isDeepStrictEqual(a, { ...a }));
      }),
      { numRuns: 20_000 },
    );
  });

  it('tells the quantities apart as isDeepStrictEqual does', () => {
    const arg = (value: LinuxSeccompArg['value'], extra: Partial<LinuxSeccompArg> = {}): LinuxSeccompArg => ({ index: 0, value, op: 'SCMP_CMP_EQ', ...extra });
    expect(sameArg(arg(1), arg(1))).toBe(true);
    expect(sameArg(arg(1), arg(1n))).toBe(false);
    expect(sameArg(arg(1), arg('1'))).toBe(false);
    expect(sameArg(arg(1), arg(1, { valueTwo: undefined }))).toBe(false);
    expect(sameArg(arg(1, { valueTwo: 2 }), { valueTwo: 2, op: 'SCMP_CMP_EQ', value: 1, index: 0 })).toBe(true);
    // The same count of keys, one of them present but not enumerable on one side; a symbol key on one side.
    const hidden = { index: 0, value: 1, valueTwo: 2 } as unknown as LinuxSeccompArg;
    Object.defineProperty(hidden, 'op', { value: 'SCMP_CMP_EQ', enumerable: false });
    expect(sameArg(arg(1, { valueTwo: 2 }), hidden)).toBe(isDeepStrictEqual(arg(1, { valueTwo: 2 }), hidden));
    expect(sameArg(arg(1, { op: 'SCMP_CMP_EQ' }), { index: 0, value: 1, valueTwo: 2, op: 'SCMP_CMP_EQ' })).toBe(false);
    // The same count of keys but not the same keys, the missing ones undefined on both sides.
    expect(sameArg({ index: 0, value: 1, valueTwo: undefined } as unknown as LinuxSeccompArg, { index: 0, value: 1, op: undefined } as unknown as LinuxSeccompArg)).toBe(false);
    // Values that are objects, equal but not one: isDeepStrictEqual's answer.
    const nested = (n: number) => ({ index: 0, value: { n }, op: 'SCMP_CMP_EQ' }) as unknown as LinuxSeccompArg;
    expect(sameArg(nested(1), nested(1))).toBe(true);
    expect(sameArg(nested(1), nested(2))).toBe(false);
    // Objects that are not plain, with no keys: what they hold decides.
    const boxed = (n: number) => Object(n) as LinuxSeccompArg;
    expect(sameArg(boxed(1), boxed(2))).toBe(false);
    expect(sameArg(boxed(1), boxed(1))).toBe(true);
    const marked = Object.assign(arg(1), { [Symbol.for('s')]: 1 });
    expect(sameArg(marked, arg(1))).toBe(isDeepStrictEqual(marked, arg(1)));
  });
});

import { z } from 'zod';

const SUFFIXES: ReadonlyMap<string, number> = new Map([
  ...Object.entries({ Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }),
  ...Object.entries({ n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }),
]);
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** The value of a Kubernetes resource quantity (`500m`, `256Mi`, `1e3`, `2`), or undefined when it is not one. */
export function quantityValue(quantity: string | number | bigint): number | undefined {
  // A YAML integer past 2^53 arrives as a bigint; a quantity needs no exactness, only its size.
  if (typeof quantity === 'bigint') return Number(quantity);
  if (typeof quantity === 'number') return Number.isFinite(quantity) ? quantity : undefined;
  const match = QUANTITY.exec(quantity);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const suffix = match[2] ?? '';
  const scale = SUFFIXES.get(suffix);
  if (scale !== undefined) return amount * scale;
  return amount * 10 ** Number(suffix.slice(1));
}

export const quantitySchema = z.union([z.string(), z.number(), z.bigint()]).superRefine((quantity, ctx) => {
  const value = quantityValue(quantity);
  if (value === undefined || value < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${typeof quantity === 'string' ? JSON.stringify(quantity) : String(quantity)} is not a Kubernetes resource quantity (e.g. 500m, 256Mi, 1)`,
      params: { code: 'invalid-value' },
    });
  }
});
export type Quantity = z.infer<typeof quantitySchema>;

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DynamicResult, dynamicResultSchema, mergeDynamicResults } from '../../src/entries/model.js';
import { dynamicResult } from './model-arbitraries.js';

// oldPath is "the first non-empty one": only without it does the order of the parts not matter.
const withoutOldPath: fc.Arbitrary<DynamicResult> = dynamicResult.map((result) => {
  const strip = (files: { oldPath?: string }[] | undefined) => files?.forEach((f) => delete f.oldPath);
  strip(result.appArmor?.files);
  strip(result.bpf?.files);
  return result;
});

const merge = mergeDynamicResults;
const RUNS = { numRuns: 300 };

describe('mergeDynamicResults (models from several nodes or runs)', () => {
  it('is associative', () => {
    fc.assert(fc.property(dynamicResult, dynamicResult, dynamicResult, (a, b, c) => {
      expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
    }), RUNS);
  });

  it('is idempotent: a model merged with itself is the model, and merging again changes nothing', () => {
    fc.assert(fc.property(dynamicResult, (a) => {
      const once = merge(a);
      expect(merge(a, a)).toEqual(once);
      expect(merge(once, once)).toEqual(once);
      expect(merge(once)).toEqual(once);
    }), RUNS);
  });

  it('is commutative when no two parts carry different oldPaths', () => {
    fc.assert(fc.property(withoutOldPath, withoutOldPath, (a, b) => {
      expect(merge(a, b)).toEqual(merge(b, a));
    }), RUNS);
  });

  it('gives a valid model, byte-identical however the parts are ordered', () => {
    fc.assert(fc.property(fc.array(withoutOldPath, { minLength: 1, maxLength: 4 }), (parts) => {
      const merged = merge(...parts);
      expect(dynamicResultSchema.safeParse(merged).success).toBe(true);
      expect(JSON.stringify(merge(...[...parts].reverse()))).toBe(JSON.stringify(merged));
    }), RUNS);
  });

  it('unites permissions, ANDs owner and keeps the first non-empty oldPath', () => {
    const merged = merge(
      { appArmor: { files: [{ path: '/srv/app/**', owner: true, permissions: ['r'] }] } },
      { appArmor: { files: [{ path: '/srv/app/**', owner: false, permissions: ['w', 'r'], oldPath: '/srv/a' }] } },
      { appArmor: { files: [{ path: '/srv/app/**', owner: true, permissions: ['m'], oldPath: '/srv/b' }] } },
    );
    expect(merged.appArmor?.files).toEqual([{ path: '/srv/app/**', owner: false, permissions: ['m', 'r', 'w'], oldPath: '/srv/a' }]);
    const ports = merge({ bpf: { network: { egresses: [{ ip: '10.0.0.1', ports: [443] }] } } }, { bpf: { network: { egresses: [{ ip: '10.0.0.1', ports: [80, 443] }] } } });
    expect(ports.bpf?.network?.egresses).toEqual([{ ip: '10.0.0.1', ports: [80, 443] }]);
  });
});

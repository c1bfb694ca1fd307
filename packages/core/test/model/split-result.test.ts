import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DynamicResult, mergeDynamicResults, splitDynamicResult } from '../../src/entries/model.js';
import { dynamicResult } from './model-arbitraries.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const chunksOf = (result: DynamicResult, maxBytes: number) => {
  const split = splitDynamicResult(result, maxBytes);
  if (!split.ok) throw new Error(split.errors[0]!.message);
  return split.value;
};

/** A model of `count` files, each path made long with a multi-byte character so that UTF-8 bytes, not characters, count. */
function bigModel(count: number): DynamicResult {
  const files = Array.from({ length: count }, (_, i) => ({ path: `/srv/données/${String(i).padStart(6, '0')}/${'é'.repeat(200)}`, owner: i % 2 === 0, permissions: ['r', 'w'] }));
  return mergeDynamicResults({ appArmor: { profiles: ['varmor-demo-web'], files, executions: ['/usr/bin/python3'] }, seccomp: { syscalls: ['read', 'openat'] } });
}

describe('splitDynamicResult (a model in objects below the API server limit)', () => {
  it('cuts a 5,000-file model into chunks of at most the bound in bytes, which merge back into the model', () => {
    const model = bigModel(5000);
    expect(bytes(model)).toBeGreaterThan(2_000_000);
    const chunks = chunksOf(model, 256 * 1024);
    expect(chunks.length).toBeGreaterThan(8);
    for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(256 * 1024);
    expect(mergeDynamicResults(...chunks)).toEqual(model);
    // Same input, same chunks (the agent rewrites them in place).
    expect(chunksOf(model, 256 * 1024)).toEqual(chunks);
  });

  it('keeps a model that fits in one chunk as it is; an empty model is one empty chunk', () => {
    const model = bigModel(3);
    expect(chunksOf(model, 1024 * 1024)).toEqual([model]);
    expect(chunksOf({}, 1024)).toEqual([{}]);
  });

  it('any model, any bound: every chunk within the bound, their merge the model', () => {
    fc.assert(
      fc.property(dynamicResult, fc.integer({ min: 800, max: 3000 }), (result, maxBytes) => {
        const model = mergeDynamicResults(result);
        const chunks = chunksOf(model, maxBytes);
        for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(maxBytes);
        expect(mergeDynamicResults(...chunks)).toEqual(model);
      }),
      { numRuns: 200 },
    );
  });

  it('an entry larger than a chunk, or a bound too small: an error naming the entry or the bound', () => {
    const model: DynamicResult = { appArmor: { files: [{ path: '/ok', permissions: ['r'] }, { path: `/${'x'.repeat(5000)}`, permissions: ['r'] }] } };
    const split = splitDynamicResult(model, 4096);
    expect(split.ok).toBe(false);
    if (split.ok) return;
    expect(split.errors[0]).toMatchObject({ code: 'constraint', pointer: '/data/dynamicResult/appArmor/files/1' });
    expect(split.errors[0]!.message).toContain('more than a chunk of 4096 bytes holds');
    const tiny = splitDynamicResult(model, 100);
    expect(tiny.ok || tiny.errors[0]!.message).toBe('a model chunk must be allowed more than 512 bytes, not 100');
  });
});

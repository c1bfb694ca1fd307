import { describe, expect, it } from 'vitest';
import { CheckLimit } from '../src/validate/check-limit.js';
import { TEXT_KEY_MAX, VerdictCache, verdictKey } from '../src/validate/verdict-cache.js';

/** A task that finishes when the test says so, counting how many run at once. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

describe('CheckLimit', () => {
  it('runs at most its limit at once, the rest in arrival order', async () => {
    const limit = new CheckLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const all = gates.map((g, index) =>
      limit.run(async () => {
        started.push(index);
        most = Math.max(most, ++running);
        await g.done;
        running--;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    for (const g of gates) g.release();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('frees the place of a task that fails', async () => {
    const limit = new CheckLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await limit.run(async () => 'next')).toBe('next');
  });
});

describe('VerdictCache', () => {
  it('computes a text once, shares it with concurrent askers, and forgets the oldest past its capacity', async () => {
    const cache = new VerdictCache<string>(2);
    let computed = 0;
    const compute = (text: string) => () => Promise.resolve(`${text}:${++computed}`);
    expect(await Promise.all([cache.get('a', compute('a')), cache.get('a', compute('a'))])).toEqual(['a:1', 'a:1']);
    await cache.get('b', compute('b'));
    await cache.get('c', compute('c'));
    expect(await cache.get('b', compute('b'))).toBe('b:2');
    expect(await cache.get('a', compute('a'))).toBe('a:4');
  });

  it('does not keep a failed computation', async () => {
    const cache = new VerdictCache<string>(4);
    await expect(cache.get('a', () => Promise.reject(new Error('engine')))).rejects.toThrow('engine');
    expect(await cache.get('a', () => Promise.resolve('ok'))).toBe('ok');
  });

  it('keys a long text by its SHA-256, still telling texts apart and finding the same text again', async () => {
    const long = (last: string) => `{"a":"${'x'.repeat(TEXT_KEY_MAX)}${last}"}`;
    expect(verdictKey('{"short":1}')).toBe('{"short":1}');
    expect(verdictKey(long('1'))).toMatch(/^\0sha256:[A-Za-z0-9+/]{43}=$/);
    expect(verdictKey(long('1'))).not.toBe(verdictKey(long('2')));
    const cache = new VerdictCache<string>(4);
    let computed = 0;
    const compute = () => Promise.resolve(`v${++computed}`);
    expect(await cache.get(long('1'), compute)).toBe('v1');
    expect(await cache.get(long('2'), compute)).toBe('v2');
    expect(await cache.get(long('1'), compute)).toBe('v1');
  });
});

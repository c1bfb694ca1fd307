// normalizeRequestPath's shortcut for paths that need no normalizing, against the full reading on generated targets.
import { describe, expect, it } from 'vitest';
import { normalizeFully, normalizeRequestPath } from '../src/decision/request.js';
import { generator } from './support/random.js';

const PIECES = ['/', '/', 'a', 'b', '.', '..', '%2e', '%2F', '%41', '%zz', '\\', '?', '#', '=', '~', ':', '@', 'http://h', '*'];

describe('normalizeRequestPath', () => {
  it('reads every target as the full normalization does, shortcut or not', () => {
    const random = generator(3);
    for (let round = 0; round < 20_000; round++) {
      const length = 1 + Math.floor(random() * 8);
      const target = Array.from({ length }, () => PIECES[Math.floor(random() * PIECES.length)]).join('');
      expect(normalizeRequestPath(target), JSON.stringify(target)).toBe(normalizeFully(target));
    }
  });

  it('returns a normalized path as it is, without its query', () => {
    expect(normalizeRequestPath('/api/v1/items/')).toBe('/api/v1/items/');
    expect(normalizeRequestPath('/a?x=/../b')).toBe('/a');
    expect(normalizeRequestPath('/a/..')).toBe('/');
    expect(normalizeRequestPath('/a//b#f')).toBe('/a/b');
  });
});

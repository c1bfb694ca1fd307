// The one timer behind every connection's idle timeout: a quiet connection is closed, a busy one kept.
import { describe, expect, it } from 'vitest';
import { IdleSweep } from '../../src/proxy/idle-sweep.js';

describe('IdleSweep', () => {
  it('closes the connection that stays quiet, keeps the one with traffic, and stops when none is watched', async () => {
    const sweep = new IdleSweep(100);
    const closed: string[] = [];
    sweep.watch(() => closed.push('quiet'));
    const busy = sweep.watch(() => closed.push('busy'));
    const traffic = setInterval(() => busy.touch(), 5);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (closed.length === 0) return;
        clearInterval(check);
        resolve();
      }, 10);
    });
    expect(closed).toEqual(['quiet']);
    expect(sweep.size).toBe(1);
    clearInterval(traffic);
    busy.stop();
    expect(sweep.size).toBe(0);
    sweep.stop();
  });
});

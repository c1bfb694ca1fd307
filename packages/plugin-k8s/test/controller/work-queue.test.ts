// addSettled: a wave of keys is handed over once, when it has been quiet for `quiet` ms or `max` ms after it began.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from '../../src/controller/work-queue.js';

function recordingQueue(settle: { quiet: number; max: number }) {
  const handled: { key: string }[] = [];
  const queue = new WorkQueue({ workers: 2, priority: () => 0, settle, handle: async (key) => (handled.push({ key }), 'done') });
  queue.resume();
  return { queue, handled };
}

describe('WorkQueue.addSettled', () => {
  it('holds a wave until it is quiet, then hands each key over once', async () => {
    const { queue, handled } = recordingQueue({ quiet: 60, max: 5_000 });
    for (let index = 0; index < 5; index++) {
      queue.addSettled(['a', 'b']);
      await sleep(20);
    }
    expect(handled).toEqual([]);
    await queue.idle();
    expect(handled.map(({ key }) => key).sort()).toEqual(['a', 'b']);
  });

  it('hands a wave over at `max` even while keys keep coming', async () => {
    // Never quiet long enough (10 s): only `max` can end the wave.
    const { queue, handled } = recordingQueue({ quiet: 10_000, max: 150 });
    const until = Date.now() + 5_000;
    while (Date.now() < until && handled.length === 0) {
      queue.addSettled(['a']);
      await sleep(20);
    }
    expect(handled.map(({ key }) => key)).toEqual(['a']);
    queue.stop();
  });

  it('idle() waits for a wave not yet handed over; stop() drops it', async () => {
    const { queue, handled } = recordingQueue({ quiet: 30, max: 100 });
    queue.addSettled(['a']);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await sleep(5);
    expect(idle).toBe(false);
    await queue.idle();
    expect(handled.map(({ key }) => key)).toEqual(['a']);
    queue.addSettled(['b']);
    queue.stop();
    await sleep(60);
    expect(handled.map(({ key }) => key)).toEqual(['a']);
  });

  describe('settleNow', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('hands over at once the keys of the wave it names; the rest of the wave waits for the quiet window', async () => {
      vi.useFakeTimers();
      const { queue, handled } = recordingQueue({ quiet: 1_000, max: 10_000 });
      queue.addSettled(['a', 'b']);
      // c is in no wave: settleNow adds nothing the wave did not hold.
      queue.settleNow(['a', 'c']);
      await vi.advanceTimersByTimeAsync(0);
      expect(handled.map(({ key }) => key)).toEqual(['a']);
      await vi.advanceTimersByTimeAsync(999);
      expect(handled.map(({ key }) => key)).toEqual(['a']);
      await vi.advanceTimersByTimeAsync(1);
      expect(handled.map(({ key }) => key)).toEqual(['a', 'b']);
      // The whole wave settled at once: nothing is left on a timer.
      queue.addSettled(['d']);
      queue.settleNow(['d']);
      await queue.idle();
      expect(handled.map(({ key }) => key)).toEqual(['a', 'b', 'd']);
    });

    it('a frozen batch is walked once per wave, and again once settleNow took keys out of it', async () => {
      vi.useFakeTimers();
      const { queue, handled } = recordingQueue({ quiet: 1_000, max: 10_000 });
      const batch = Object.freeze(['a', 'b']);
      queue.addSettled(batch);
      queue.addSettled(batch);
      queue.settleNow(['a']);
      await vi.advanceTimersByTimeAsync(0);
      // A report after the settle concerns a again: the same batch puts it back in the wave.
      queue.addSettled(batch);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(handled.map(({ key }) => key).sort()).toEqual(['a', 'a', 'b']);
      // A new wave walks it again.
      queue.addSettled(batch);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(handled.map(({ key }) => key).sort()).toEqual(['a', 'a', 'a', 'b', 'b']);
    });
  });
});

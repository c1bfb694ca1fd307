// addSettled: a wave of keys is handed over once, when it has been quiet for `quiet` ms or `max` ms after it began.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
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
});

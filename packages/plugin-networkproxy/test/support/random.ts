// The tests' random inputs: mulberry32, a small seeded generator, so every run draws the same cases and a failure
// names a seed that reproduces it.

/** Numbers in [0, 1) from `seed`, the same sequence every time. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

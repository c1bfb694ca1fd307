// The hash the programs compute over a path, 8 bytes at a time (bpf/path-hash.h does the same in C).
// A prefix is hashed forward from the first byte, a suffix backward from the last; the last, partial word keeps
// only the bytes inside the part. The anchor kind and length are mixed in last, so equal text under two anchors differs.

const MASK64 = (1n << 64n) - 1n;
export const HASH_MULTIPLIER = 0x9e3779b97f4a7c15n;
export const FORWARD_SEED = 0x243f6a8885a308d3n;
export const BACKWARD_SEED = 0x13198a2e03707344n;

export function mix(hash: bigint, word: bigint): bigint {
  return ((hash ^ word) * HASH_MULTIPLIER) & MASK64;
}

export function finish(hash: bigint, length: number, anchor: number): bigint {
  const mixed = ((hash ^ BigInt(length | (anchor << 8))) * HASH_MULTIPLIER) & MASK64;
  return mixed ^ (mixed >> 31n);
}

/** Hash of `bytes` read forward: 8-byte little-endian words, the last one zero-padded. */
export function forwardHash(bytes: Uint8Array, anchor: number): bigint {
  let hash = FORWARD_SEED;
  for (let offset = 0; offset < bytes.length; offset += 8) {
    const word = Buffer.alloc(8);
    word.set(bytes.subarray(offset, Math.min(offset + 8, bytes.length)));
    hash = mix(hash, word.readBigUInt64LE(0));
  }
  return finish(hash, bytes.length, anchor);
}

/** Hash of `bytes` read backward: words ending at the last byte, the first one (leftmost) padded with zeros below. */
export function backwardHash(bytes: Uint8Array, anchor: number): bigint {
  let hash = BACKWARD_SEED;
  for (let end = bytes.length; end > 0; end -= 8) {
    const start = Math.max(0, end - 8);
    const word = Buffer.alloc(8);
    word.set(bytes.subarray(start, end), 8 - (end - start));
    hash = mix(hash, word.readBigUInt64LE(0));
  }
  return finish(hash, bytes.length, anchor);
}

/** Bit of the 2048-bit bloom filter a hash sets. */
export function bloomBit(hash: bigint): number {
  return Number((hash >> 53n) & 2047n);
}

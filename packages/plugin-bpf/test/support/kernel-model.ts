// The lookup algorithm of bpf/armorkit.bpf.c, step for step, over the encoded map entries. Tests compare it with
// evaluate() (which works on the compiled rules) to check the encoding; kernel tests then compare the real programs.
import {
  ANCHOR_ANY,
  ANCHOR_BASE_PREFIX,
  ANCHOR_EXACT,
  ANCHOR_PREFIX,
  ANCHOR_SUFFIX,
  HEADER,
  KEY_BLOOM,
  KEY_HEADER,
  KEY_PATH,
  MAX_SLOTS,
  PATH_RULE,
  PATH_TABLE,
  SCOPE_BASENAME,
  TABLE_HAS_ANY,
  TABLE_HAS_EXACT,
  TABLE_HAS_RULES,
} from '../../src/encode/layout.js';
import { type MapEntry, ruleKey } from '../../src/encode/map-entry.js';
import { BACKWARD_SEED, FORWARD_SEED, bloomBit, finish, mix } from '../../src/encode/path-hash.js';

const MASK64 = (1n << 64n) - 1n;
const MAX_ANCHOR = 63;

export class InnerMap {
  private readonly entries = new Map<string, Buffer>();
  constructor(entries: readonly MapEntry[]) {
    for (const entry of entries) this.entries.set(entry.key.toString('hex'), entry.value);
  }
  lookup(key: Buffer): Buffer | undefined {
    return this.entries.get(key.toString('hex'));
  }
  header(): Buffer | undefined {
    return this.lookup(ruleKey({ kind: KEY_HEADER }));
  }
}

/** The kernel's scratch buffer: the path at an offset, garbage around it (masked out by the algorithm). */
function wordAt(path: Buffer, offset: number): bigint {
  const bytes = Buffer.alloc(8, 0xa5);
  for (let i = 0; i < 8; i++) if (offset + i >= 0 && offset + i < path.length) bytes[i] = path[offset + i]!;
  return bytes.readBigUInt64LE(0);
}
const lowMask = (r: number) => (r === 8 ? MASK64 : (1n << BigInt(8 * r)) - 1n);
const highMask = (r: number) => (r === 8 ? MASK64 : MASK64 ^ ((1n << BigInt(8 * (8 - r))) - 1n));

export interface PathVerdict {
  deny: number;
  audit: number;
}

/**
 * One path table lookup: `extra` is the per-rule check after the pattern matched (mount flags); `requested` the
 * permission bits asked for.
 */
export function matchPathTable(
  inner: InnerMap,
  table: number,
  path: Buffer,
  basenameStart: number,
  requested: number,
  extra: (rule: Buffer) => boolean = () => true,
): PathVerdict {
  const verdict = { deny: 0, audit: 0 };
  const header = inner.header();
  if (!header) return verdict;
  const info = HEADER.paths + table * HEADER.pathTableSize;
  const [prefixFree, prefixSlash, suffixFree, suffixSlash, basePrefixLengths] = (
    ['prefixFree', 'prefixSlash', 'suffixFree', 'suffixSlash', 'basePrefixLengths'] as const
  ).map((field) => header.readBigUInt64LE(info + PATH_TABLE[field])) as [bigint, bigint, bigint, bigint, bigint];
  const flags = header.readUInt32LE(info + PATH_TABLE.flags);
  const maxPrefix = header.readUInt8(info + PATH_TABLE.maxPrefix);
  const maxSuffix = header.readUInt8(info + PATH_TABLE.maxSuffix);
  const maxBasePrefix = header.readUInt8(info + PATH_TABLE.maxBasePrefix);
  if (!(flags & TABLE_HAS_RULES)) return verdict;
  const bloom = inner.lookup(ruleKey({ kind: KEY_BLOOM, table }));
  const n = path.length;
  const b = basenameStart;

  const equalAt = (offset: number, rule: Buffer, field: number, length: number) =>
    path.subarray(offset, offset + length).equals(rule.subarray(field, field + length)) && offset + length <= n;

  const verify = (rule: Buffer, anchor: number): boolean => {
    const p = rule.readUInt8(PATH_RULE.prefixLength);
    const s = rule.readUInt8(PATH_RULE.suffixLength);
    const basename = rule.readUInt8(PATH_RULE.scope) === SCOPE_BASENAME;
    switch (anchor) {
      case ANCHOR_EXACT:
        return n === p && equalAt(0, rule, PATH_RULE.prefix, p);
      case ANCHOR_PREFIX:
        return n >= p && equalAt(0, rule, PATH_RULE.prefix, p);
      case ANCHOR_SUFFIX: {
        const start = basename ? b : 0;
        return n - start >= p + s && equalAt(n - s, rule, PATH_RULE.suffix, s) && equalAt(start, rule, PATH_RULE.prefix, p);
      }
      case ANCHOR_BASE_PREFIX:
        return n - b >= p && equalAt(b, rule, PATH_RULE.prefix, p);
      default:
        return true;
    }
  };

  const check = (anchor: number, length: number, hash: bigint) => {
    if (anchor !== ANCHOR_ANY) {
      const bit = bloomBit(hash);
      if (!bloom || !(bloom[bit >> 3]! & (1 << (bit & 7)))) return;
    }
    for (let slot = 0; slot < MAX_SLOTS; slot++) {
      const rule = inner.lookup(ruleKey({ kind: KEY_PATH, table, anchor, slot, length, hash }));
      if (!rule) break;
      if (verify(rule, anchor) && extra(rule)) {
        verdict.deny |= rule.readUInt32LE(PATH_RULE.deny) & requested;
        verdict.audit |= rule.readUInt32LE(PATH_RULE.audit) & requested;
      }
      if (!rule.readUInt8(PATH_RULE.more)) break;
    }
  };

  if (flags & TABLE_HAS_ANY) check(ANCHOR_ANY, 0, 0n);

  const bitAt = (mask: bigint, length: number) => ((mask >> BigInt(length)) & 1n) === 1n;
  const slashAt = (index: number) => path[index] === 0x2f;
  // Each pass stops at the longest anchor of its kind; the exact path needs the whole path. A '/'-aligned length
  // is checked only where the path has a '/' (after a prefix, at the start of a suffix).
  const forward = (start: number, wanted: (length: number) => boolean, anchor: number, exact: boolean, longest: number) => {
    const limit = exact ? n - start : Math.min(n - start, longest);
    let hash = FORWARD_SEED;
    for (let q = 0; q < 8 && 8 * q < limit; q++) {
      const word = wordAt(path, start + 8 * q);
      for (let r = 1; r <= 8 && 8 * q + r <= limit; r++) {
        const length = 8 * q + r;
        const partial = mix(hash, word & lowMask(r));
        if (wanted(length)) check(anchor, length, finish(partial, length, anchor));
        if (exact && length === n) check(ANCHOR_EXACT, length, finish(partial, length, ANCHOR_EXACT));
      }
      hash = mix(hash, word);
    }
  };
  forward(
    0,
    (length) => bitAt(prefixFree, length) || (bitAt(prefixSlash, length) && slashAt(length - 1)),
    ANCHOR_PREFIX,
    (flags & TABLE_HAS_EXACT) !== 0 && n <= MAX_ANCHOR,
    maxPrefix,
  );

  const limit = Math.min(n, maxSuffix);
  let hash = BACKWARD_SEED;
  for (let q = 0; q < 8 && 8 * q < limit; q++) {
    const word = wordAt(path, n - 8 * (q + 1));
    for (let r = 1; r <= 8 && 8 * q + r <= limit; r++) {
      const length = 8 * q + r;
      if (bitAt(suffixFree, length) || (bitAt(suffixSlash, length) && slashAt(n - length))) {
        check(ANCHOR_SUFFIX, length, finish(mix(hash, word & highMask(r)), length, ANCHOR_SUFFIX));
      }
    }
    hash = mix(hash, word);
  }

  if (basePrefixLengths !== 0n) forward(b, (length) => bitAt(basePrefixLengths, length), ANCHOR_BASE_PREFIX, false, maxBasePrefix);
  return verdict;
}

/** Where the last component starts (after the last '/'). */
export function basenameStart(path: Buffer): number {
  return path.lastIndexOf(0x2f) + 1;
}

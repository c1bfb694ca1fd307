import type { PathPattern } from '../compile/path-pattern.js';
import {
  ANCHOR_ANY,
  ANCHOR_BASE_PREFIX,
  ANCHOR_EXACT,
  ANCHOR_PREFIX,
  ANCHOR_SUFFIX,
  BLOOM_BITS,
  FSTYPE_BYTES,
  KEY_BLOOM,
  KEY_PATH,
  MAX_SLOTS,
  PATH_RULE,
  PATTERN_BYTES,
  SCOPE_BASENAME,
  SCOPE_PATH,
  TABLE_HAS_ANY,
  TABLE_HAS_DENY,
  TABLE_HAS_EXACT,
  TABLE_HAS_RULES,
} from './layout.js';
import { type MapEntry, newValue, ruleKey, writeText } from './map-entry.js';
import { backwardHash, bloomBit, forwardHash } from './path-hash.js';

/** What a path rule does once its pattern matches: permission masks, and for mounts the flags and fstype. */
export interface PathRuleAction {
  deny: number;
  audit: number;
  mount?: { mountFlags: number; reverseMountFlags: number; fstype: string };
}

/** Where a pattern is filed: the part of the path hashed to find it, and the scope of what is left to check. */
export interface PathAnchor {
  anchor: number;
  length: number;
  hash: bigint;
  scope: number;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/**
 * A pattern's anchor: an exact path by itself; a pattern with a suffix by the suffix (the most selective part,
 * and the one that needs no basename); a prefix-only pattern by its prefix; `**` and `*` match any path.
 */
export function pathAnchor(pattern: PathPattern): PathAnchor {
  const scope = pattern.kind === 'basename' ? SCOPE_BASENAME : SCOPE_PATH;
  if (pattern.kind === 'exact') {
    const bytes = utf8(pattern.text);
    return { anchor: ANCHOR_EXACT, length: bytes.length, hash: forwardHash(bytes, ANCHOR_EXACT), scope };
  }
  if (pattern.suffix) {
    const bytes = utf8(pattern.suffix);
    return { anchor: ANCHOR_SUFFIX, length: bytes.length, hash: backwardHash(bytes, ANCHOR_SUFFIX), scope };
  }
  if (pattern.prefix) {
    const bytes = utf8(pattern.prefix);
    const anchor = pattern.kind === 'basename' ? ANCHOR_BASE_PREFIX : ANCHOR_PREFIX;
    return { anchor, length: bytes.length, hash: forwardHash(bytes, anchor), scope };
  }
  return { anchor: ANCHOR_ANY, length: 0, hash: 0n, scope };
}

/** The header's summary of one path table: which anchor lengths exist, and flags. */
export interface PathTableSummary {
  /** Prefix lengths checked everywhere, and those of prefixes ending with '/' (checked after a '/' only). */
  prefixFree: bigint;
  prefixSlash: bigint;
  /** Suffix lengths checked everywhere, and those of suffixes starting with '/' (checked at a '/' only). */
  suffixFree: bigint;
  suffixSlash: bigint;
  basePrefixLengths: bigint;
  flags: number;
  maxPrefix: number;
  maxSuffix: number;
  maxBasePrefix: number;
}

interface Filed {
  anchor: PathAnchor;
  pattern: PathPattern;
  action: PathRuleAction;
}

/**
 * The entries of one path table (file, exec or mount rules): rules filed under their anchor's key, those sharing
 * a key chained in slots, and a bloom filter of the keys so most paths are turned away without a map lookup.
 */
export function encodePathTable(table: number, rules: readonly { pattern: PathPattern; action: PathRuleAction }[]): { entries: MapEntry[]; summary: PathTableSummary } | { problem: string } {
  const summary: PathTableSummary = {
    prefixFree: 0n,
    prefixSlash: 0n,
    suffixFree: 0n,
    suffixSlash: 0n,
    basePrefixLengths: 0n,
    flags: 0,
    maxPrefix: 0,
    maxSuffix: 0,
    maxBasePrefix: 0,
  };
  if (rules.length === 0) return { entries: [], summary };
  summary.flags |= TABLE_HAS_RULES;
  const byKey = new Map<string, Filed[]>();
  for (const { pattern, action } of rules) {
    if (action.deny !== 0) summary.flags |= TABLE_HAS_DENY;
    const anchor = pathAnchor(pattern);
    const id = `${anchor.anchor}/${anchor.length}/${anchor.hash}`;
    const filed = byKey.get(id) ?? [];
    byKey.set(id, filed);
    filed.push({ anchor, pattern, action });
    const bit = 1n << BigInt(anchor.length);
    if (anchor.anchor === ANCHOR_EXACT) summary.flags |= TABLE_HAS_EXACT;
    else if (anchor.anchor === ANCHOR_ANY) summary.flags |= TABLE_HAS_ANY;
    else if (anchor.anchor === ANCHOR_PREFIX) {
      if (pattern.prefix.endsWith('/')) summary.prefixSlash |= bit;
      else summary.prefixFree |= bit;
      summary.maxPrefix = Math.max(summary.maxPrefix, anchor.length);
    } else if (anchor.anchor === ANCHOR_SUFFIX) {
      if (pattern.suffix.startsWith('/')) summary.suffixSlash |= bit;
      else summary.suffixFree |= bit;
      summary.maxSuffix = Math.max(summary.maxSuffix, anchor.length);
    } else {
      summary.basePrefixLengths |= bit;
      summary.maxBasePrefix = Math.max(summary.maxBasePrefix, anchor.length);
    }
  }
  const entries: MapEntry[] = [];
  const bloom = Buffer.alloc(BLOOM_BITS / 8);
  for (const filed of byKey.values()) {
    if (filed.length > MAX_SLOTS) return { problem: `${filed.length} rules share the ${filed[0]!.pattern.text} anchor; at most ${MAX_SLOTS} can` };
    const { anchor } = filed[0]!;
    if (anchor.anchor !== ANCHOR_ANY) {
      const bit = bloomBit(anchor.hash);
      bloom[bit >> 3]! |= 1 << (bit & 7);
    }
    filed.forEach((rule, slot) => {
      entries.push({
        key: ruleKey({ kind: KEY_PATH, table, anchor: anchor.anchor, slot, length: anchor.length, hash: anchor.hash }),
        value: pathRuleValue(rule, slot < filed.length - 1),
      });
    });
  }
  const bloomValue = newValue();
  bloom.copy(bloomValue, 0);
  entries.push({ key: ruleKey({ kind: KEY_BLOOM, table }), value: bloomValue });
  return { entries, summary };
}

function pathRuleValue({ anchor, pattern, action }: Filed, more: boolean): Buffer {
  const value = newValue();
  value.writeUInt32LE(action.deny, PATH_RULE.deny);
  value.writeUInt32LE(action.audit, PATH_RULE.audit);
  value.writeUInt8(anchor.scope, PATH_RULE.scope);
  // An exact pattern is all prefix.
  const prefix = pattern.kind === 'exact' ? pattern.text : pattern.prefix;
  value.writeUInt8(utf8(prefix).length, PATH_RULE.prefixLength);
  value.writeUInt8(utf8(pattern.suffix).length, PATH_RULE.suffixLength);
  value.writeUInt8(more ? 1 : 0, PATH_RULE.more);
  if (action.mount) {
    value.writeUInt32LE(action.mount.mountFlags >>> 0, PATH_RULE.mountFlags);
    value.writeUInt32LE(action.mount.reverseMountFlags >>> 0, PATH_RULE.reverseMountFlags);
    writeText(value, PATH_RULE.fstype, FSTYPE_BYTES, action.mount.fstype);
  }
  writeText(value, PATH_RULE.prefix, PATTERN_BYTES, prefix);
  writeText(value, PATH_RULE.suffix, PATTERN_BYTES, pattern.suffix);
  return value;
}

import { KEY_SIZE, RULE_KEY, VALUE_SIZE } from './layout.js';

/** One entry of a profile's inner map, as the kernel stores it. */
export interface MapEntry {
  key: Buffer;
  value: Buffer;
}

export interface RuleKeyFields {
  kind: number;
  table?: number;
  anchor?: number;
  slot?: number;
  length?: number;
  /** Path hash, or nothing. */
  hash?: bigint;
  /** Address bytes (4 or 16), in place of the hash. */
  address?: Uint8Array;
}

export function ruleKey(fields: RuleKeyFields): Buffer {
  const key = Buffer.alloc(KEY_SIZE);
  key.writeUInt8(fields.kind, RULE_KEY.kind);
  key.writeUInt8(fields.table ?? 0, RULE_KEY.table);
  key.writeUInt8(fields.anchor ?? 0, RULE_KEY.anchor);
  key.writeUInt8(fields.slot ?? 0, RULE_KEY.slot);
  key.writeUInt32LE(fields.length ?? 0, RULE_KEY.length);
  if (fields.hash !== undefined) key.writeBigUInt64LE(fields.hash, RULE_KEY.hash);
  if (fields.address) key.set(fields.address, RULE_KEY.hash);
  return key;
}

export const newValue = () => Buffer.alloc(VALUE_SIZE);

/** Writes a string and zero-fills the rest of its field; the caller has checked it fits with its NUL. */
export function writeText(value: Buffer, offset: number, size: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length >= size) throw new RangeError(`${JSON.stringify(text)} does not fit in ${size} bytes with its NUL`);
  value.fill(0, offset, offset + size);
  bytes.copy(value, offset);
}

/** Entries in key order: the encoding of a profile is the same bytes every time. */
export function sortEntries(entries: MapEntry[]): MapEntry[] {
  return entries.sort((a, b) => Buffer.compare(a.key, b.key));
}

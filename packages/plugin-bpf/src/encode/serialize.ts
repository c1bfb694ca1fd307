import { KEY_SIZE, VALUE_SIZE } from './layout.js';
import type { MapEntry } from './map-entry.js';

const MAGIC = Buffer.from('AKBPF001', 'latin1');

/** Map entries as one buffer (for handing a profile to the helper that applies it): magic, count, entries. */
export function serializeEntries(entries: readonly MapEntry[]): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32LE(entries.length);
  return Buffer.concat([MAGIC, count, ...entries.flatMap((entry) => [entry.key, entry.value])]);
}

export function deserializeEntries(bytes: Buffer): MapEntry[] | { problem: string } {
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(MAGIC)) return { problem: 'not a serialized armorkit BPF profile' };
  const count = bytes.readUInt32LE(8);
  const size = KEY_SIZE + VALUE_SIZE;
  if (bytes.length !== 12 + count * size) return { problem: `expected ${count} entries (${12 + count * size} bytes), got ${bytes.length} bytes` };
  return Array.from({ length: count }, (_, index) => {
    const offset = 12 + index * size;
    return { key: Buffer.from(bytes.subarray(offset, offset + KEY_SIZE)), value: Buffer.from(bytes.subarray(offset + KEY_SIZE, offset + size)) };
  });
}

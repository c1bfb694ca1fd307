// Reads of an upstream socket into one buffer used again for every read (net.connect's `onread`): no allocation and
// no stream push, event and next-tick per chunk. A chunk is that buffer's memory, so it stays valid after its
// callback only while nobody keeps it: when `kept` says a write still holds it (the kernel did not take it at once),
// the next read goes into a new buffer and the old one is left to the write. Each connection has its own buffer
// (a socket holds the buffer of its next read already, so one shared by several would be overwritten under a write).
import type { OnReadOpts } from 'node:net';

/** libuv's read size for a stream (its suggested allocation). */
export const READ_BUFFER_BYTES = 64 * 1024;

export function reusedReadBuffer(onChunk: (chunk: Buffer) => void, kept: () => boolean, size: number = READ_BUFFER_BYTES): OnReadOpts {
  let buffer = Buffer.allocUnsafeSlow(size);
  let lent = false;
  return {
    buffer: () => {
      if (lent) {
        buffer = Buffer.allocUnsafeSlow(size);
        lent = false;
      }
      return buffer;
    },
    callback: (bytes: number) => {
      onChunk(buffer.subarray(0, bytes));
      if (kept()) lent = true;
      return true;
    },
  };
}

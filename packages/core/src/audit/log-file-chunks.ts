import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** What logFileChunks yields when it has read to the end and waits: a decoder hands out what it held back (`flush`). */
export const LOG_QUIET = Buffer.alloc(0);

export interface LogFileChunksOptions {
  /** Keep reading what is appended (`tail -F`); without it, stop at the end. */
  follow: boolean;
  signal?: AbortSignal;
  /** `start` (default): the whole file, then what is appended; `end`: only what is appended from now on (an agent on a node). */
  from?: 'start' | 'end';
  /** How often a follower looks at the file again (ms; `tail -F` checks once a second). Default 250. */
  pollMs?: number;
}

/** Large reads: lines are split on the bytes, and fewer, larger chunks cost less per line. */
const CHUNK_BYTES = 1 << 20;

/**
 * The bytes of a log file, then (with follow) the bytes appended later, like `tail -F`: a file that got shorter
 * (truncated) or is another file now (rotated: another inode) is read again from its start, and a file that is
 * missing for a moment (between a rotation's rename and the new file) is waited for. Polling the size closes the
 * gap a change notification leaves between reading to the end and starting to listen. The CLI's `audit` and the
 * node agent's violations.log read their logs through this. Throws `<path>: <reason>` when the file cannot be read
 * (and, while following, is not merely missing).
 */
export async function* logFileChunks(path: string, options: LogFileChunksOptions): AsyncGenerator<Buffer> {
  const { follow, signal } = options;
  let offset = 0;
  let inode: number | undefined;
  if (options.from === 'end') {
    const stat = currentStat(path, follow);
    offset = stat?.size ?? 0;
    inode = stat?.ino;
  }
  for (;;) {
    const stat = currentStat(path, follow);
    if (stat) {
      if (stat.size < offset || (inode !== undefined && stat.ino !== inode)) offset = 0;
      inode = stat.ino;
      if (stat.size > offset) {
        const stream: Readable = createReadStream(path, { start: offset, end: stat.size - 1, highWaterMark: CHUNK_BYTES });
        for await (const chunk of stream) yield chunk as Buffer;
        offset = stat.size;
      }
    }
    if (!follow || signal?.aborted) break;
    yield LOG_QUIET;
    try {
      await sleep(options.pollMs ?? 250, undefined, { signal });
    } catch {
      break; // aborted
    }
  }
}

/** The file's size and inode; while following, undefined when it is missing for now. */
function currentStat(path: string, follow: boolean): { size: number; ino: number } | undefined {
  try {
    const { size, ino } = statSync(path);
    return { size, ino };
  } catch (error) {
    if (follow && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

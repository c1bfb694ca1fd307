import { closeSync, constants, openSync, readSync } from 'node:fs';

/** Every message now in the kernel log (/dev/kmsg records, read without blocking), oldest first. */
export function readKernelLog(): string[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(8192);
  const messages: string[] = [];
  try {
    for (;;) {
      let length: number;
      try {
        length = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue; // records overwritten while reading: go on with the next one
        throw error;
      }
      const record = buffer.toString('utf8', 0, length);
      const message = record.slice(record.indexOf(';') + 1).split('\n')[0] ?? '';
      messages.push(message);
    }
  } finally {
    closeSync(fd);
  }
  return messages;
}

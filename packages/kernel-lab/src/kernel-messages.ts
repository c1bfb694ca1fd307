import { closeSync, constants, openSync, readSync } from 'node:fs';

/** Every record currently in the kernel log, read from /dev/kmsg without blocking, as message text. */
export function readKernelMessages(): string[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const messages: string[] = [];
  const buffer = Buffer.alloc(16 * 1024);
  try {
    for (;;) {
      let length: number;
      try {
        length = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        // EPIPE: records were overwritten while reading; the next read continues with the oldest one left.
        if (code === 'EPIPE') continue;
        throw error;
      }
      const record = buffer.toString('utf8', 0, length);
      messages.push(record.slice(record.indexOf(';') + 1).split('\n')[0] ?? '');
    }
  } finally {
    closeSync(fd);
  }
  return messages;
}

/** Waits for a kernel log message that matches: audit records reach the log asynchronously through kauditd. */
export async function waitForKernelMessage(matches: (message: string) => boolean, timeoutMs = 10_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = readKernelMessages().find(matches);
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

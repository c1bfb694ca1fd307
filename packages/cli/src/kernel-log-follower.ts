import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';

/** How often the follower looks for new records: kauditd prints in batches, a tenth of a second loses nothing. */
const POLL_MS = 100;
const RECORD_BYTES = 16 * 1024;

/**
 * The kernel log lines written from now on, as text chunks for an AuditLogDecoder: `/dev/kmsg` (one record per read,
 * `PRIO,SEQ,TIME,FLAGS;message`; the records already there are skipped) or a file an audit daemon appends to (read
 * from its current end). Polled, so that stopping is immediate and nothing is left open.
 */
export class KernelLogFollower {
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private offset = 0;
  private readonly kmsg: boolean;
  private readonly buffer = Buffer.alloc(RECORD_BYTES);

  constructor(
    private readonly path: string,
    private readonly onText: (text: Buffer) => void,
  ) {
    this.kmsg = path === '/dev/kmsg';
  }

  /** Opens the log and skips what is in it; throws with the reason when it cannot be read. */
  start(): void {
    this.fd = openSync(this.path, constants.O_RDONLY | (this.kmsg ? constants.O_NONBLOCK : 0));
    if (this.kmsg) this.readKmsg(false);
    else this.offset = statSync(this.path).size;
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  /** Reads what arrived since the last poll (call once more before stop to take the last records). */
  poll(): void {
    if (this.fd === undefined) return;
    if (this.kmsg) this.readKmsg(true);
    else this.readFile();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readKmsg(deliver: boolean): void {
    const lines: string[] = [];
    for (;;) {
      let length: number;
      try {
        length = readSync(this.fd!, this.buffer, 0, this.buffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        // EPIPE: records were overwritten before we read them; reading goes on from the oldest one left.
        if (code === 'EPIPE') continue;
        throw error;
      }
      if (!deliver) continue;
      const record = this.buffer.toString('utf8', 0, length);
      const message = record.slice(record.indexOf(';') + 1);
      const newline = message.indexOf('\n');
      lines.push(newline < 0 ? message : message.slice(0, newline));
    }
    if (lines.length > 0) this.onText(Buffer.from(`${lines.join('\n')}\n`));
  }

  private readFile(): void {
    const size = statSync(this.path).size;
    if (size < this.offset) this.offset = 0;
    while (this.offset < size) {
      const length = readSync(this.fd!, this.buffer, 0, Math.min(this.buffer.length, size - this.offset), this.offset);
      if (length <= 0) break;
      this.offset += length;
      this.onText(Buffer.from(this.buffer.subarray(0, length)));
    }
  }
}

import { mkdirSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { createStream } from 'rotating-file-stream';
import type { ViolationEvent } from './event.js';
import type { AuditLineWarning } from './over-long-line.js';

/** Where ViolationEvents go, and the warnings of the reader that found them (a skipped line). `close` flushes. */
export interface ViolationSink {
  name: string;
  write(event: ViolationEvent): void;
  warn(warning: AuditLineWarning): void;
  close(): Promise<void>;
}

/**
 * vArmor's line for one event: `{"level":"warn", ...event fields..., "time": RFC3339, "message":"violation event"}`
 * (the shape pino writes at level warn with messageKey `message`), built with one native JSON.stringify: pino's own
 * serializer costs several times more per event, and a busy node's tailer writes hundreds of thousands of them.
 */
export function violationLine(event: ViolationEvent, time?: Date): string {
  const fields = JSON.stringify(event);
  const separator = fields.length > 2 ? ',' : '';
  const stamp = time === undefined ? nowText() : time.toISOString();
  return `{"level":"warn",${fields.slice(1, -1)}${separator}"time":"${stamp}","message":"violation event"}\n`;
}

/**
 * A reader's warning in the same log: `{"level":"warn","code":…,"source":…,"line":…,"offset":…,"time":…,"message":…}`.
 * It has no `enforcer` and its message is not "violation event", so a reader of events tells it apart.
 */
export function warningLine(warning: AuditLineWarning, time?: Date): string {
  const { message, ...fields } = warning;
  const stamp = time === undefined ? nowText() : time.toISOString();
  return `{"level":"warn",${JSON.stringify(fields).slice(1, -1)},"time":"${stamp}","message":${JSON.stringify(message)}}\n`;
}

/** The current time as RFC 3339, made once per millisecond (a Date and its text cost more than the rest of a line's framing). */
function nowText(): string {
  const now = Date.now();
  if (now !== lastMillis) {
    lastMillis = now;
    lastText = new Date(now).toISOString();
  }
  return lastText;
}
let lastMillis = -1;
let lastText = '';

/** Lines gathered and written together: one write per event-loop turn or per 64 KiB, whichever comes first. */
class LineBatcher {
  private pending: string[] = [];
  private size = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly limit = 1 << 16,
  ) {}

  add(line: string): void {
    this.pending.push(line);
    this.size += line.length;
    if (this.size >= this.limit) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    this.write(text);
  }
}

export interface FileSinkOptions {
  /** Default /var/log/armorkit/violations.log. */
  path?: string;
  /** Rotate when the file reaches this size (vArmor: 10 MB). */
  maxSize?: string;
  /** Rotated files kept (vArmor: 3). */
  maxFiles?: number;
}

/** JSON lines in a file with size rotation, like vArmor's violations.log. */
export function fileSink(options: FileSinkOptions = {}): ViolationSink {
  const path = options.path ?? '/var/log/armorkit/violations.log';
  mkdirSync(dirname(path), { recursive: true });
  const name = basename(path);
  // Rotated files are violations.log.1, .2, ... (newest first after rotation by rfs's history).
  const stream = createStream((_time, index) => (index ? `${name}.${index}` : name), {
    path: dirname(path),
    size: options.maxSize ?? '10M',
    maxFiles: options.maxFiles ?? 3,
  });
  // Batches stay well under the rotation size, so files rotate close to it.
  const batch = new LineBatcher((text) => stream.write(text), Math.min(1 << 16, Math.max(256, Math.floor(sizeBytes(options.maxSize ?? '10M') / 8))));
  return {
    name: `file:${path}`,
    write: (event) => batch.add(violationLine(event)),
    warn: (warning) => batch.add(warningLine(warning)),
    close: () =>
      new Promise((resolve) => {
        batch.flush();
        stream.end(() => resolve());
      }),
  };
}

/** rotating-file-stream's size notation (`10M`, `512K`, `1G`, `100B`) in bytes. */
function sizeBytes(size: string): number {
  const match = /^(\d+)\s*([BKMG])$/.exec(size.trim());
  if (!match) return 10 << 20;
  const unit = { B: 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 }[match[2] as 'B' | 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}

/** JSON lines on stdout (or any writable). */
export function streamSink(destination: NodeJS.WritableStream = process.stdout): ViolationSink {
  const batch = new LineBatcher((text) => destination.write(text));
  return {
    name: 'stream',
    write: (event) => batch.add(violationLine(event)),
    warn: (warning) => batch.add(warningLine(warning)),
    close: async () => {
      batch.flush();
      // A pipe or file on stdout may still hold what was written: wait until it has taken it.
      await new Promise<void>((resolve) => {
        destination.write('', () => resolve());
      });
    },
  };
}

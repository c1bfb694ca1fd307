import { mkdirSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { createStream } from 'rotating-file-stream';
import { violationEvent, type ViolationEvent } from './event.js';
import { jsonShapeWriter, NO_ROOM } from './json-bytes.js';
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
export function violationLine(event: ViolationEvent, time: Date = new Date()): string {
  const fields = JSON.stringify(event);
  const separator = fields.length > 2 ? ',' : '';
  return `{"level":"warn",${fields.slice(1, -1)}${separator}"time":"${time.toISOString()}","message":"violation event"}\n`;
}

/**
 * A reader's warning in the same log: `{"level":"warn","code":…,"source":…,"line":…,"offset":…,"time":…,"message":…}`.
 * It has no `enforcer` and its message is not "violation event", so a reader of events tells it apart.
 */
export function warningLine(warning: AuditLineWarning, time: Date = new Date()): string {
  const { message, ...fields } = warning;
  return `{"level":"warn",${JSON.stringify(fields).slice(1, -1)},"time":"${time.toISOString()}","message":${JSON.stringify(message)}}\n`;
}

const EVENT_HEAD = Buffer.from('{"level":"warn"');
const OPEN_BRACE = 0x7b;
const COMMA = 0x2c;
/** An event's JSON text, the shape violationEvent makes (its defaults: the values most fields of a decoded event hold). */
const writeEventJson = jsonShapeWriter(violationEvent({ eventTimestamp: 0, enforcer: 'AppArmor', action: 'DENIED' }), ['eventTimestamp', 'enforcer', 'action', 'event']);

/**
 * Lines gathered in one buffer and written together: once per event-loop turn, or when `limit` bytes are waiting.
 * An event's line is written into the buffer piece by piece (its JSON text by json-bytes.ts, the constant frame, the
 * time), so no per-line string is built, joined and encoded: the bytes are what `violationLine(event)` holds.
 */
class LineBatcher {
  private chunk: Buffer;
  private used = 0;
  private scheduled: NodeJS.Immediate | undefined;
  /** The time text, made once per millisecond (a Date and its text cost more than the rest of a line's framing). */
  private clockMillis = -1;
  private clockText = '';
  /** The end of an event's line at that time: `,"time":"…","message":"violation event"}` and the line break. */
  private tail = Buffer.alloc(0);

  /** Buffers the writer is done with (its callback came), used again: a fresh large one costs its pages' faults. */
  private readonly spare: Buffer[] = [];

  /** `write` calls `done` once it no longer holds `bytes` (a stream's write callback). */
  constructor(
    private readonly write: (bytes: Buffer, done: () => void) => void,
    private readonly limit = 1 << 16,
  ) {
    this.chunk = Buffer.allocUnsafe(limit);
  }

  /** `violationLine(event)`, without making it as a string. */
  addEvent(event: ViolationEvent): void {
    let at = this.writeEvent(event);
    if (at === NO_ROOM && this.used > 0) {
      this.flush();
      at = this.writeEvent(event);
    }
    // Longer than a whole batch, or a value JSON.stringify alone writes as it does (a toJSON that gives nothing).
    if (at < 0) {
      this.addText(violationLine(event));
      return;
    }
    this.used = at;
    this.written();
  }

  /** The event's line after the bytes used; returns where it ends (or NO_ROOM, nothing counted as written). */
  private writeEvent(event: ViolationEvent): number {
    const chunk = this.chunk;
    this.clock();
    const tail = this.tail;
    const end = chunk.length - tail.length;
    if (this.used + EVENT_HEAD.length >= end) return NO_ROOM;
    // Uint8Array's set, not Buffer's copy: a builtin copy, without copy's argument handling.
    chunk.set(EVENT_HEAD, this.used);
    let at = this.used + EVENT_HEAD.length;
    const after = writeEventJson(chunk, at, end, event);
    if (after < 0) return after;
    // The event's own braces: the opening one becomes the comma after `"level":"warn"`, the closing one is written over.
    if (after - at > 2 && chunk[at] === OPEN_BRACE) {
      chunk[at] = COMMA;
      at = after - 1;
    }
    chunk.set(tail, at);
    return at + tail.length;
  }

  /** `warningLine(warning)`. */
  addWarning(warning: AuditLineWarning): void {
    this.addText(warningLine(warning, new Date(this.clock())));
  }

  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.used === 0) return;
    // The written bytes go to the writer as they are (a stream may keep them queued): the next ones go to another
    // buffer, and this one is used again once the writer is done with it.
    const full = this.chunk;
    const bytes = full.subarray(0, this.used);
    this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(full.length);
    this.used = 0;
    this.write(bytes, () => {
      if (this.spare.length < SPARE_BUFFERS) this.spare.push(full);
    });
  }

  private addText(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (bytes > this.chunk.length - this.used) this.flush();
    if (bytes > this.chunk.length) this.write(Buffer.from(line), () => undefined);
    else {
      this.used += this.chunk.write(line, this.used, 'utf8');
      this.written();
    }
  }

  private written(): void {
    if (this.used >= this.limit) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  private clock(): number {
    const now = Date.now();
    if (now !== this.clockMillis) {
      this.clockMillis = now;
      this.clockText = new Date(now).toISOString();
      this.tail = Buffer.from(`,"time":"${this.clockText}","message":"violation event"}\n`);
    }
    return now;
  }
}

/** Written buffers kept for reuse by one batcher (a stream usually holds one or two at once). */
const SPARE_BUFFERS = 4;

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
  const batch = new LineBatcher((bytes, done) => stream.write(bytes, done), Math.min(1 << 16, Math.max(256, Math.floor(sizeBytes(options.maxSize ?? '10M') / 8))));
  return {
    name: `file:${path}`,
    write: (event) => batch.addEvent(event),
    warn: (warning) => batch.addWarning(warning),
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
  // Large writes: a whole file's events go out in few system calls. The process's own stdout and stderr (a file, a
  // pipe, a terminal) are done with a buffer once their write callback comes, so it is used again; another stream
  // may hand the very buffer on to its reader (a PassThrough does), who may keep it: those get fresh buffers.
  const reusable = destination === process.stdout || destination === process.stderr;
  const batch = new LineBatcher((bytes, done) => (reusable ? destination.write(bytes, done) : destination.write(bytes)), 1 << 20);
  return {
    name: 'stream',
    write: (event) => batch.addEvent(event),
    warn: (warning) => batch.addWarning(warning),
    close: async () => {
      batch.flush();
      // A pipe or file on stdout may still hold what was written: wait until it has taken it.
      await new Promise<void>((resolve) => {
        destination.write('', () => resolve());
      });
    },
  };
}

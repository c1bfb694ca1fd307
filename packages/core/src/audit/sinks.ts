import { mkdirSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { pino, type Logger } from 'pino';
import { createStream } from 'rotating-file-stream';
import type { ViolationEvent } from './event.js';

/** Where ViolationEvents go. `close` flushes. */
export interface ViolationSink {
  name: string;
  write(event: ViolationEvent): void;
  close(): Promise<void>;
}

function logger(stream: pino.DestinationStream): Logger {
  // vArmor's line: {"level":"warn", ...event fields..., "time": RFC3339, "message": "violation event"}.
  return pino(
    {
      base: undefined,
      messageKey: 'message',
      // `time` is written with the event so it lands after the event fields, as in vArmor's lines.
      timestamp: false,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
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
  const log = logger(stream);
  return {
    name: `file:${path}`,
    write: (event) => log.warn({ ...event, time: new Date().toISOString() }, 'violation event'),
    close: () =>
      new Promise((resolve) => {
        log.flush();
        stream.end(() => resolve());
      }),
  };
}

/** JSON lines on stdout (or any writable). */
export function streamSink(destination: NodeJS.WritableStream = process.stdout): ViolationSink {
  const log = logger(destination as pino.DestinationStream);
  return {
    name: 'stream',
    write: (event) => log.warn({ ...event, time: new Date().toISOString() }, 'violation event'),
    close: async () => log.flush(),
  };
}

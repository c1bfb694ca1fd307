import type { ViolationEvent } from './event.js';
import { AuditLineSplitter, type LineBreaks } from './log-lines.js';

/** One log line → its event, or undefined (the engine's `decodeAudit`, or one plugin's decoder). */
export type AuditLineDecoder = (line: string) => ViolationEvent | undefined;

/**
 * A byte stream of kernel / auditd log lines → ViolationEvents, in the order of their lines. Feed it chunks as they
 * are read (any size, cut anywhere); each `push` returns the events of the lines it completed. `armorkit audit` reads
 * files and stdin through it, and bench/audit.mjs times it.
 */
export class AuditLogDecoder {
  private readonly splitter: AuditLineSplitter;
  private events: ViolationEvent[] = [];
  private readonly take = (line: string): void => {
    const event = this.decode(line);
    if (event !== undefined) this.events.push(event);
  };

  constructor(
    private readonly decode: AuditLineDecoder,
    breaks: LineBreaks = 'newline',
  ) {
    this.splitter = new AuditLineSplitter(breaks);
  }

  /** Lines read so far, skipped ones included. */
  get lines(): number {
    return this.splitter.lines;
  }

  /** The events of the lines `chunk` completes. */
  push(chunk: Buffer): ViolationEvent[] {
    this.splitter.push(chunk, this.take);
    return this.flush();
  }

  /** The event of a last line without a line break, if any. */
  end(): ViolationEvent[] {
    this.splitter.end(this.take);
    return this.flush();
  }

  private flush(): ViolationEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

import type { AuditFields } from './audit-fields.js';
import type { ViolationEvent } from './event.js';
import { LabelCache } from './label-cache.js';
import type { AuditRecordDeclaration, DeclaredFields } from './record-declaration.js';
import { AuditRecordReader, READ_THE_LINE } from './record-reader.js';

/** What reads audit records for AuditLogDecoder: a line of any transport, or a record the native scanner split. */
export interface AuditRecordDecoder {
  decodeLine(line: string): ViolationEvent | undefined;
  decodeFields(record: AuditFields): ViolationEvent | undefined;
}

/**
 * The audit records the plugins declared, read in the order they were registered: the first reader that makes an
 * event of a record wins. The engine holds one; plugins register their declarations on it.
 */
export class AuditRecordRegistry implements AuditRecordDecoder {
  private readonly readers: RecordReading[] = [];
  private readonly labels = new LabelCache();

  /** Adds a declaration (once: registering it again changes nothing). */
  register<F extends DeclaredFields, Other extends boolean>(declaration: AuditRecordDeclaration<F, Other>): void {
    if (this.readers.some((reader) => reader.declaration === declaration)) return;
    this.readers.push(new AuditRecordReader(declaration, this.labels));
  }

  /** The names of the declarations, in order. */
  get names(): readonly string[] {
    return this.readers.map((reader) => reader.declaration.name);
  }

  /** One log line → its event, or undefined when no declared record is in it. */
  decodeLine(line: string): ViolationEvent | undefined {
    for (const reader of this.readers) {
      const event = reader.decodeLine(line);
      if (event !== undefined) return event;
    }
    return undefined;
  }

  /**
   * A record the native scanner split → the event `decodeLine` gives for its line. A reader that cannot tell from the
   * fields (a record only the tolerant line reading understands) has the line read instead, by every reader in turn.
   */
  decodeFields(record: AuditFields): ViolationEvent | undefined {
    for (const reader of this.readers) {
      const event = reader.decodeFields(record);
      if (event === READ_THE_LINE) return this.decodeLine(record.line());
      if (event !== undefined) return event;
    }
    return undefined;
  }
}

/** What the registry asks of each reader, whatever its declaration's fields. */
interface RecordReading {
  readonly declaration: { readonly name: string };
  decodeLine(line: string): ViolationEvent | undefined;
  decodeFields(record: AuditFields): ViolationEvent | undefined | typeof READ_THE_LINE;
}

/** A registry of one declaration: one plugin's records alone (its tests, a tool that reads only them). */
export function auditRecordDecoder<F extends DeclaredFields, Other extends boolean>(declaration: AuditRecordDeclaration<F, Other>): AuditRecordRegistry {
  const registry = new AuditRecordRegistry();
  registry.register(declaration);
  return registry;
}

// The tolerant reading of a seccomp record: every field wherever it is, the first occurrence winning, unknown fields
// skipped. One reading for both sources: a line walked by the field cursor, or a record the native scanner split
// into fields (core's AuditFields).

import type { AuditFields } from '@armorkit/core/audit';
import type { FieldCursor } from './field-cursor.js';
import { decimalValue, hexValue, stringValue } from './field-values.js';
import { type RecordField, recordFieldAt } from './record-fields.js';
import type { SeccompFields } from './seccomp-fields.js';

/** The current field of a record being walked, and its value read the ways a seccomp field is. */
export interface SeccompFieldSource {
  /** Moves to the next field; false at the end. */
  next(): boolean;
  /** The field, when it is one we read. */
  field(): RecordField | undefined;
  /** An unsigned decimal (quoted or not), or undefined. */
  decimal(): number | undefined;
  /** The value as logged. */
  text(): string;
  /** A string field: unquoted upper-case hex decoded (see stringValue). */
  string(): string;
}

/** A line's fields through the field cursor. */
export class LineFieldSource implements SeccompFieldSource {
  private line = '';

  constructor(private readonly cursor: FieldCursor) {}

  reset(line: string, start: number): this {
    this.line = line;
    this.cursor.reset(line, start);
    return this;
  }

  next(): boolean {
    return this.cursor.next();
  }

  field(): RecordField | undefined {
    return recordFieldAt(this.line, this.cursor.keyStart, this.cursor.keyEnd);
  }

  decimal(): number | undefined {
    return decimalValue(this.line, this.cursor.valueStart, this.cursor.valueEnd);
  }

  text(): string {
    return this.line.slice(this.cursor.valueStart, this.cursor.valueEnd);
  }

  string(): string {
    return stringValue(this.line, this.cursor.valueStart, this.cursor.valueEnd, this.cursor.quoted);
  }
}

/** The fields of a record the native scanner split. */
export class SplitFieldSource implements SeccompFieldSource {
  private record!: AuditFields;
  private index = -1;

  reset(record: AuditFields): this {
    this.record = record;
    this.index = -1;
    return this;
  }

  next(): boolean {
    this.index += 1;
    return this.index < this.record.count;
  }

  field(): RecordField | undefined {
    const key = this.record.key(this.index);
    return recordFieldAt(key, 0, key.length);
  }

  decimal(): number | undefined {
    return decimalOf(this.record, this.index);
  }

  text(): string {
    return this.record.text(this.index);
  }

  string(): string {
    return stringOf(this.record, this.index);
  }
}

/** Field `index` of a split record as an unsigned decimal, quoted or not, leading zeros allowed (as decimalValue). */
export function decimalOf(record: AuditFields, index: number): number | undefined {
  const value = record.decimal(index);
  if (value !== undefined) return value;
  const text = record.text(index);
  return decimalValue(text, 0, text.length);
}

/** Field `index` of a split record as a string field (as stringValue). */
export function stringOf(record: AuditFields, index: number): string {
  const text = record.text(index);
  return stringValue(text, 0, text.length, record.quoted(index));
}

/** auditd's ENRICHED names (used when our tables do not know the ABI: i386, x32). */
export interface EnrichedNames {
  arch: string | undefined;
  syscall: string | undefined;
}

/**
 * Reads every field of `source` into `fields`; the ENRICHED names, or undefined when the record lacks `arch=`,
 * `syscall=` or `code=` (without them, a line cut short by a syslog size limit, nothing says what was done).
 */
export function readAnyOrder(source: SeccompFieldSource, fields: SeccompFields): EnrichedNames | undefined {
  let auid: number | undefined;
  let uid: number | undefined;
  let gid: number | undefined;
  let ses: number | undefined;
  let subj: string | undefined;
  let pid: number | undefined;
  let comm: string | undefined;
  let exe: string | undefined;
  let sig: number | undefined;
  let arch: number | undefined;
  let syscallNumber: number | undefined;
  let compat: number | undefined;
  let ip: string | undefined;
  let code: number | undefined;
  let codeText: string | undefined;
  const enriched: EnrichedNames = { arch: undefined, syscall: undefined };
  while (source.next()) {
    switch (source.field()) {
      case 'auid':
        auid ??= source.decimal();
        break;
      case 'uid':
        uid ??= source.decimal();
        break;
      case 'gid':
        gid ??= source.decimal();
        break;
      case 'ses':
        ses ??= source.decimal();
        break;
      case 'subj':
        subj ??= source.text();
        break;
      case 'pid':
        pid ??= source.decimal();
        break;
      case 'comm':
        comm ??= source.string();
        break;
      case 'exe':
        exe ??= source.string();
        break;
      case 'sig':
        sig ??= source.decimal();
        break;
      case 'arch':
        if (arch === undefined) {
          const text = source.text();
          arch = hexValue(text, 0, text.length);
        }
        break;
      case 'syscall':
        syscallNumber ??= source.decimal();
        break;
      case 'compat':
        compat ??= source.decimal();
        break;
      case 'ip':
        ip ??= source.text();
        break;
      case 'code':
        if (code === undefined) {
          codeText = source.text();
          code = hexValue(codeText, 0, codeText.length);
        }
        break;
      case 'SYSCALL':
        enriched.syscall ??= source.text();
        break;
      case 'ARCH':
        enriched.arch ??= source.text();
        break;
    }
  }
  if (arch === undefined || syscallNumber === undefined || code === undefined) return undefined;
  fields.set(auid, uid, gid, ses, subj, pid, comm, exe, sig, arch, syscallNumber, compat, ip, code, codeText);
  return enriched;
}

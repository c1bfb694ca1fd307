import type { FieldList } from './field-kinds.js';

/**
 * One auditd record in the plain grammar (`[node=HOST ]type=NAME msg=audit(SECONDS.MILLIS:SERIAL): key=value …`,
 * printable ASCII, one blank between fields), already split into its fields by the native scanner. Decoders read it
 * instead of the line (record-reader.ts): its repeated texts (keys, profiles, operations, paths) are strings made once, not per line.
 *
 * The object is reused for the next record: read what you need during the call, keep nothing.
 */
export interface AuditFields extends FieldList {
  /** The record type as auditd names it (`AVC`, `SECCOMP`, `USER_AVC`, `1400`, …). */
  readonly type: string;
  /** audispd's `node=`; '' when absent. */
  readonly nodeName: string;
  /** Seconds of the stamp. */
  readonly epoch: number;
  /** `SECONDS.MILLIS:SERIAL`, the id the records of one event share. */
  auditID(): string;
  /** Number of fields. */
  readonly count: number;
  /**
   * The record's shape: records of the same type with the same keys in the same order have the same number, so a
   * reader can remember what it found out about a shape. Valid while `generation` stays the same; -1: no shape (a
   * record of more than 30 fields).
   */
  readonly shape: number;
  readonly generation: number;
  /** A quoted value holds `=` (only then can a `key=` appear anywhere but at a field's start). */
  readonly quotedValueHoldsEquals: boolean;
  key(index: number): string;
  /** The value as logged, without its quotes. */
  text(index: number): string;
  quoted(index: number): boolean;
  /** A `subj*` label whose value carries the ` (mode)` words that followed it (`profile (enforce)`). */
  labelWords(index: number): boolean;
  /**
   * The value as an unsigned decimal when it is one written the usual way (unquoted, 1 to 15 digits, no leading zero),
   * else undefined: read `text()` for any other.
   */
  decimal(index: number): number | undefined;
  /** The whole line, as the string decoders would see it. */
  line(): string;
}


import type { ViolationEvent } from './event.js';
import type { FieldKind, FieldKindValues } from './field-kinds.js';
import type { FieldGrammar } from './record-line.js';
import type { RecordStart } from './record-start.js';

/** The fields a record declares, by key: how each value is read. */
export type DeclaredFields = Readonly<Record<string, FieldKind>>;

/**
 * What a declaration's `event` function is given: each declared field (undefined when the record lacks it, or when
 * none of its occurrences reads as its kind; the first that does wins) and, when the declaration keeps them,
 * `other`: every other key in the order of the record, the first occurrence winning, read by `otherFields` kinds.
 */
export type RecordFields<F extends DeclaredFields, Other extends boolean = false> = { readonly [K in keyof F]: FieldKindValues[F[K]] | undefined } & (Other extends true
  ? { readonly other: Record<string, string | number> }
  : unknown);

/** What the record's line said besides its fields, and what core keeps for every decoder. */
export interface RecordContext {
  /** `SECONDS.MILLIS:SERIAL` from `audit(…)`: the id the records of one event share; undefined without a stamp. */
  readonly auditID: string | undefined;
  /** Unix seconds of the stamp; undefined without one. */
  readonly epoch: number | undefined;
  /** audispd's `node=`; '' when absent. */
  readonly nodeName: string;
  /** profileNameFromLabel of an AppArmor label, remembered (a node logs the same few labels over and over). */
  profileOf(label: string): { profileName: string; childProfile?: string };
}

/**
 * An audit record a plugin reads: where it is found in a line, its fields and their kinds, and one function from the
 * typed fields to the plugin's event (undefined: not a violation). Core reads it from any transport's line and from
 * the native scanner's split of auditd lines, the same way: this function is all the plugin writes per record.
 */
export interface AuditRecordDeclaration<F extends DeclaredFields = DeclaredFields, Other extends boolean = boolean> {
  /** The plugin that reads it (for messages). */
  readonly name: string;
  readonly start: RecordStart;
  readonly grammar: FieldGrammar;
  readonly fields: F;
  /** Declared keys whose last occurrence wins (else the first that reads as its kind does). */
  readonly lastOccurrence?: readonly (keyof F & string)[];
  /** Keep every other field in `other`, read by these kinds (`text` for a key not listed); omitted: skip them. */
  readonly otherFields?: Other extends true ? DeclaredFields : undefined;
  event(fields: RecordFields<F, Other>, context: RecordContext): ViolationEvent | undefined;
}

/** A declaration, typed from its fields (so `event` sees each field's kind). */
export function defineAuditRecord<const F extends DeclaredFields>(declaration: AuditRecordDeclaration<F, false> & { otherFields?: undefined }): AuditRecordDeclaration<F, false>;
export function defineAuditRecord<const F extends DeclaredFields>(declaration: AuditRecordDeclaration<F, true> & { otherFields: DeclaredFields }): AuditRecordDeclaration<F, true>;
export function defineAuditRecord<const F extends DeclaredFields>(declaration: AuditRecordDeclaration<F>): AuditRecordDeclaration<F> {
  return declaration;
}

// @armorkit/core/audit: the ViolationEvent every audit source produces, the sinks that write it, and the audit-log
// decoder the CLI's `audit` command runs. Plugins that decode records import their event helpers from here.
export {
  profileNameFromLabel,
  violationEvent,
  violationEventSchema,
  type DialectEventMap,
  type ViolationEvent,
  type ViolationEventAction,
} from '../audit/event.js';
export { fileSink, streamSink, type ViolationSink } from '../audit/sinks.js';
export { AuditLogDecoder } from '../audit/log-decoder.js';
export { LOG_QUIET, logFileChunks } from '../audit/log-file-chunks.js';
export { AuditLineSplitter } from '../audit/log-lines.js';
export { AUDIT_LINE_MAX_BYTES, type AuditLineWarning } from '../audit/over-long-line.js';
export type { AuditFields } from '../audit/audit-fields.js';
export { defineAuditRecord, type AuditRecordDeclaration, type DeclaredFields, type RecordContext, type RecordFields } from '../audit/record-declaration.js';
export { AuditRecordRegistry, auditRecordDecoder, type AuditRecordDecoder } from '../audit/record-registry.js';
export { decodeHex, hexValue, type FieldKind, type FieldKindValues } from '../audit/field-kinds.js';
export type { FieldGrammar } from '../audit/record-line.js';
export type { RecordStart } from '../audit/record-start.js';
export { nativeAuditScannerAvailable } from '../audit/native-scanner.js';

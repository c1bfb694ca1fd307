// @armorkit/core/audit: the ViolationEvent every audit source produces, the sinks that write it, and the audit-log
// decoder the CLI's `audit` command runs. Plugins that decode records import their event helpers from here.
export { profileNameFromLabel, violationEvent, violationEventSchema, type ViolationEvent, type ViolationEventAction } from '../audit/event.js';
export { fileSink, streamSink, type ViolationSink } from '../audit/sinks.js';
export { AuditLogDecoder } from '../audit/log-decoder.js';
export { AuditLineSplitter } from '../audit/log-lines.js';
export { AUDIT_LINE_MAX_BYTES, type AuditLineWarning } from '../audit/over-long-line.js';
export { DECODE_AS_LINE, type AuditFields, type AuditFieldsResult } from '../audit/audit-fields.js';
export { nativeAuditScannerAvailable } from '../audit/native-scanner.js';

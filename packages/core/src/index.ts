// Enforcers, errors, results, sources
export * from './enforcer.js';
export * from './errors.js';
export * from './error-catalog.js';
export { renderErrorReference } from './error-reference.js';
export { coreErrors, type CoreErrorCode } from './core-errors.js';
export * from './result.js';
export * from './source.js';
export * from './package-meta.js';
// Schemas
export * from './schema/oci-seccomp.js';
export * from './schema/exact-json.js';
// Policy IR and plan
export type * from './ir.js';
export * from './plan.js';
// Rules and rule packs
export * from './rules/define.js';
export type * from './rules/fragments.js';
export * from './rules/registry.js';
export * from './rules/describe.js';
// Modes
export * from './modes/resolve-mode.js';
export * from './modes/violation-action.js';
// Engine, hooks, plugins
export * from './engine/artifact.js';
export * from './engine/artifact-data.js';
export * from './engine/backend.js';
export * from './engine/hooks.js';
export * from './engine/plugin.js';
export * from './engine/engine.js';
export * from './engine/check-policies.js';
export { PluginFailure, type PluginStage } from './engine/plugin-failure.js';
export * from './dialect/varmor.js';
export * from './parse/behavior-models.js';
// IP addresses and CIDRs, read as Go's net.ParseIP / net.ParseCIDR (vArmor's reference)
export * from './address/ip-address.js';
export * from './address/ip-network.js';
// Config
export * from './config.js';
export { DISK_DEVICE_PATTERN, diskDevicesFromPartitions } from './disk-devices.js';
// Audit
export * from './audit/event.js';
export * from './audit/sinks.js';
export * from './audit/log-lines.js';
export * from './audit/log-decoder.js';
export * from './audit/over-long-line.js';
export type { AuditFields } from './audit/audit-fields.js';
export { defineAuditRecord, type AuditRecordDeclaration, type DeclaredFields, type RecordContext, type RecordFields } from './audit/record-declaration.js';
export { AuditRecordRegistry, auditRecordDecoder, type AuditRecordDecoder } from './audit/record-registry.js';
export { decimalValue, decodeHex, hexValue, type FieldKind, type FieldKindValues } from './audit/field-kinds.js';
export type { FieldGrammar } from './audit/record-line.js';
export type { RecordStart } from './audit/record-start.js';
export { nativeAuditScannerAvailable } from './audit/native-scanner.js';
export * from './parse/yaml-stream.js';
export * from './parse/validate-document.js';
export * from './schema/varmor/index.js';
export * from './schema/json-schema.js';
// plan.js and the vArmor schema both name an AppArmorRawRule; the plan's keeps the short name at the package level.
export type { AppArmorRawRule } from './plan.js';
export type { AppArmorRawRule as VarmorAppArmorRawRule } from './schema/varmor/index.js';

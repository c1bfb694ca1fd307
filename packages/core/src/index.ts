// @armorkit/core: the engine and the plugin API. Audit events and sinks are in @armorkit/core/audit, the vArmor and
// OCI schemas in @armorkit/core/schema, Go-compatible IP addresses in @armorkit/core/address, the plugin test kit in
// @armorkit/core/testing (test/entry-points.test.ts keeps each entry to names that are used or documented).

// The engine
export { createEngine, Engine, type EngineOptions, type InstalledEnforcer, type ParseOutcome } from './engine/engine.js';
export type { DialectResult, EngineHooks } from './engine/hooks.js';
export {
  checkPlan,
  checkPolicies,
  resolvePolicies,
  type CheckOptions,
  type CheckOutcome,
  type CheckedPlan,
  type CheckedPolicy,
  type PolicyInput,
  type ResolveOptions,
  type ResolveOutcome,
  type ResolvedPolicy,
} from './engine/check-policies.js';
export { defineConfig, type ArmorkitConfig } from './config.js';
export { varmorDialect, type VarmorDialectOptions } from './dialect/varmor.js';

// The plugin API
export { definePlugin, type Plugin, type PluginMeta } from './engine/plugin.js';
export { defineEnforcer, type CompileContext, type EnforcerBackend } from './engine/backend.js';
export type { ArtifactData, ArtifactDataMap } from './engine/artifact-data.js';
export type { Artifact, ArtifactFile, AuditSource, ConfinementStep, LoadResult, LoadTarget } from './engine/artifact.js';
export { PluginFailure, type PluginStage } from './engine/plugin-failure.js';
export { readPackageMeta, type PackageMeta } from './package-meta.js';
export { parseYamlStream } from './parse/yaml-stream.js';
export type { ParsedStream, Position, SourceDocument } from './source.js';
export { ENFORCERS, enforcerFromId, enforcerId, type Enforcer } from './enforcer.js';

// Results and errors
export { errorsOf, fail, failureMessage, ok, resultOf, type Failure, type Result, type Success } from './result.js';
export { PolicyErrors, formatPolicyError, fromPointer, policyError, toPointer, type PolicyError, type SourceLocation } from './errors.js';
export { defineErrors, type ErrorCatalog, type ErrorDeclaration } from './error-catalog.js';
export { coreErrors, type CoreErrorCode } from './core-errors.js';
export { renderErrorReference } from './error-reference.js';

// Policy IR and plan
export type { PolicyIR } from './ir.js';
export {
  BASE_PROFILES,
  VIOLATION_ACTIONS,
  baseProfile,
  plannedEnforcers,
  type AppArmorPlan,
  type AppArmorRawRule,
  type BaseProfile,
  type BpfPlan,
  type EnforcerPlan,
  type EnforcerPlanFor,
  type NetworkProxyPlan,
  type Plan,
  type PlannedRule,
  type ProfileBuild,
  type ProfileMode,
  type SeccompPlan,
  type SkippedRule,
  type ViolationAction,
} from './plan.js';

// Rules and rule packs
export {
  RULE_SECTIONS,
  defineRule,
  defineRulePack,
  type RuleDefinition,
  type RuleMeta,
  type RuleMetaInput,
  type RulePack,
  type RulePackMeta,
  type RuleSection,
} from './rules/define.js';
export type {
  AppArmorFragment,
  AppArmorLine,
  BpfFilePermission,
  BpfFragment,
  RuleFragments,
  SeccompFragment,
  SeccompFragmentEntry,
} from './rules/fragments.js';
export { RuleRegistry, type RuleLookup } from './rules/registry.js';
export { describeFragment } from './rules/describe.js';

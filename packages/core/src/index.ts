// @armorkit/core: the engine and the plugin API. Audit events and sinks are in @armorkit/core/audit, the vArmor and
// OCI schemas in @armorkit/core/schema, Go-compatible IP addresses in @armorkit/core/address, the plugin test kit in
// @armorkit/core/testing (packages/cli/test/entry-points.test.ts keeps each entry to names used or documented).

// The engine
export { createEngine, Engine, type EngineOptions } from './engine/engine.js';
export type { CombineOptions, DialectResult } from './engine/hooks.js';
export { checkPlan, checkPolicies, resolvePolicies, type PolicyInput } from './engine/check-policies.js';
export { defineConfig, type ArmorkitConfig } from './config.js';
export { varmorDialect } from './dialect/varmor.js';

// The plugin API
export { definePlugin, type Plugin, type PluginMeta } from './engine/plugin.js';
export { defineEnforcer, type CompileContext, type EnforcerBackend } from './engine/backend.js';
export type { ArtifactDataMap } from './engine/artifact-data.js';
export type { Artifact, ArtifactExplanation, AuditSource, ConfinementReport, ConfinementStep, LoadedProfile, LoadResult, LoadTarget } from './engine/artifact.js';
export {
  kubernetesVersionAtLeast,
  type EnforcerPodChanges,
  type JsonValue,
  type KubernetesVersion,
  type NamedObject,
  type PodChange,
  type PodChangeContext,
  type PodContainer,
  type PodView,
  type SecurityProfile,
  type SecurityProfileView,
} from './engine/pod-changes.js';
export { readPackageMeta } from './package-meta.js';
export { parseYamlStream } from './parse/yaml-stream.js';
export { composeSources } from './parse/composed-source.js';
export { locateErrors } from './engine/locate.js';
export { validateDocument } from './parse/validate-document.js';
export type { SourceDocument } from './source.js';
export { enforcerFromId, enforcerId, splitEnforcerString, type Enforcer } from './enforcer.js';

// Results and errors
export { errorsOf, fail, failureMessage, ok, resultOf, type Result } from './result.js';
export { PolicyErrors, formatPolicyError, fromPointer, policyError, toPointer, type PolicyError } from './errors.js';
export { defineErrors, type ErrorCatalog } from './error-catalog.js';
export { coreErrors } from './core-errors.js';
export { renderErrorReference } from './error-reference.js';

// Policy IR and plan
export type { DialectPolicyMap, PolicyIR } from './ir.js';
export {
  baseProfile,
  type AppArmorPlan,
  type AppArmorRawRule,
  type BpfPlan,
  type ContainerPosture,
  type EnforcerPlan,
  type NetworkProxyPlan,
  type Plan,
  type PlannedRule,
  POSTURE_CLASSES,
  POSTURE_PROTECTIONS,
  type PostureClass,
  type PostureProtection,
  type ProfileBuild,
  type ProfileMode,
  type SeccompPlan,
  type ViolationAction,
} from './plan.js';

// Rules and rule packs
export {
  defineRule,
  defineRulePack,
  type RuleDefinition,
  type RulePack,
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
export { RuleRegistry } from './rules/registry.js';
export { describeFragment } from './rules/describe.js';

// The node's disk devices (`/proc/partitions`) and the marker rule fragments use for them
export { DISK_DEVICE_PATTERN, diskDevicesFromPartitions } from './disk-devices.js';

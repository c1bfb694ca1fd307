export { apparmor, type AppArmorPluginOptions } from './plugin.js';
export { apparmor as default } from './plugin.js';
export { appArmorErrors, type AppArmorErrorCode } from './errors.js';
// compile
export { compileAppArmor, type AppArmorArtifact, type AppArmorArtifactData, type CompileOptions } from './compile/compile-profile.js';
export { profileFromBehaviorModel, type AppArmorBehaviorModel } from './compile/behavior-model.js';
export { groupTargets, type TargetGroup } from './compile/targets.js';
export { qualifierFor, type Qualifier } from './compile/qualifier.js';
export type { DiskDeviceMarker, LineOrigin } from './compile/profile-text.js';
export { checkRawRules, checkRawRuleText, type RawRuleProblem } from './raw-rules.js';
export { checkCustomProfile } from './compile/custom-profile.js';
export { parseRawRules, printStatement, parseCustomProfile, printCustomProfile, ALLOWED_ABSTRACTIONS, type RawStatement, type CustomProfileTree, type GrammarProblem } from './grammar/index.js';
export { diskDevicesFromPartitions, expandDiskDevices } from './disk-devices.js';
// verify
export { findApparmorParser, parseParserErrors, PARSER_CANDIDATES, type ParserProblem } from './verify/apparmor-parser.js';
export { verifyWithParser } from './verify/verify-artifact.js';
export { checkDeclaredNames, checkDeclaredProfiles, expectedProfiles, type ExpectedProfiles } from './verify/declared-profiles.js';
export { checkTransitions } from './verify/transitions.js';
export { checkBackstop } from './verify/backstop.js';
// load
export { loadProfile, unloadProfile, type LoadOutcome, type LoaderOptions } from './load/loader.js';
export { appArmorEnabled, listLoadedProfiles, parseLoadedProfiles, type LoadedProfile } from './load/loaded-profiles.js';
export { DEFAULT_SYSTEM_PATHS, type AppArmorSystemPaths } from './load/system-paths.js';
// audit
export { appArmorAuditRecord } from './audit/apparmor-record.js';

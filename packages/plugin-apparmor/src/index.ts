// @armorkit/plugin-apparmor: the AppArmor enforcer plugin, its options, its error codes and the artifact data it
// compiles. The raw-rule and custom-profile grammar is @armorkit/plugin-apparmor/grammar.
export { apparmor, apparmor as default, type AppArmorPluginOptions } from './plugin.js';
export type { AppArmorSystemPaths } from './load/system-paths.js';
export { appArmorErrors, type AppArmorErrorCode } from './errors.js';
export type { AppArmorArtifact, AppArmorArtifactData } from './compile/compile-profile.js';
export type { DiskDeviceMarker, LineOrigin } from './compile/profile-text.js';

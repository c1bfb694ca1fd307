// @armorkit/plugin-apparmor: the AppArmor enforcer plugin, its options, its error codes and the artifact data it
// compiles. The raw-rule and custom-profile grammar is @armorkit/plugin-apparmor/grammar.
export { apparmor, apparmor as default, type AppArmorPluginOptions } from './plugin.js';
export { appArmorErrors } from './errors.js';
export type { AppArmorArtifactData } from './compile/compile-profile.js';

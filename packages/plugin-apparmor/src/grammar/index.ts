// The AppArmor grammar armorkit accepts in raw rules and custom profiles: our own lexer and parser into a typed
// tree, and a printer that writes the profile from the tree. The user's bytes never reach the profile.
export { parseRawRules, type RawRulesRead } from './raw-rules.js';
export { printStatement, printPath } from './print.js';
export { parseCustomProfile, printCustomProfile, customProfileLines, type CustomProfileTree, type CustomProfileRead } from './custom-profile.js';
export { ALLOWED_ABSTRACTIONS } from './abstractions.js';
export type * from './tree.js';

// @armorkit/plugin-apparmor/grammar: armorkit's reader of the AppArmor text users write (raw rules, custom profiles)
// into a typed tree, and the printer of canonical text from it (docs/apparmor.md). The differential fuzzer
// (bench/fuzz-apparmor.mjs) checks it against apparmor_parser through this entry.
export { parseRawRules } from '../grammar/raw-rules.js';
export { printStatement } from '../grammar/print.js';
export { parseCustomProfile, printCustomProfile, type CustomProfileTree } from '../grammar/custom-profile.js';
export { ALLOWED_ABSTRACTIONS } from '../grammar/abstractions.js';
export type { GrammarProblem, RawStatement } from '../grammar/tree.js';

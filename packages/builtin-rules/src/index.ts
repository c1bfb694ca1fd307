// @armorkit/builtin-rules: vArmor's built-in rule catalogue as one rule pack.
export { builtinRules, builtinRules as default } from './catalogue.js';
// The disk-device marker the pack's BPF fragments carry and the BPF enforcer expands to the node's disks: a contract
// between this pack and @armorkit/plugin-bpf, so its tests check both sides agree.
export { BPF_DISK_DEVICE_PATTERN } from './fragments.js';

import { defineErrors } from './error-catalog.js';

/**
 * The codes core raises: the parse and schema checks, the mode matrix, the engine, and the conditions several
 * enforcers share (a missing behaviour model means the same for AppArmor and seccomp, so it has one code).
 */
export const coreErrors = defineErrors('@armorkit/core', {
  'yaml-syntax': { description: 'The text is not well-formed YAML or JSON; the message gives the parser\'s reason and position.' },
  'invalid-type': { description: 'A field has the wrong type (a string where a list is expected, a document that is not a mapping).' },
  'unknown-field': { description: 'A field vArmor\'s API does not have, usually a typo; the message names the closest known field.' },
  'invalid-value': { description: 'A field has a value outside what the API accepts (an unknown enum value, an address that is not one, a kind of another API).' },
  required: { description: 'A field the API requires is missing or empty.' },
  constraint: { description: 'Values that are each valid break a rule between them or a limit (mutually exclusive qualifiers, too many rules of one type).' },
  'not-a-policy': { description: 'The document is of vArmor\'s API group but is not a policy (an ArmorProfile); it is checked, not compiled.' },
  'not-a-model': { description: 'A --model file holds a document that is not an ArmorProfileModel.' },
  'unknown-rule': { description: 'A rule name no installed rule pack defines; the message suggests the closest name.' },
  'rule-without-effect': { description: 'A rule does nothing with the policy\'s enforcers (implemented by others only, or targets without AppArmor).', severity: 'warning' },
  'duplicate-profile-name': { description: 'Two policies compiled together have one profile name, so their profiles would overwrite each other.' },
  'policies-not-combinable': { description: 'Several policies apply to one workload and their dialect cannot merge them (vArmor applies one policy per workload; KubeArmor\'s are merged).' },
  'enforcer-not-in-policy': { description: 'An enforcer was asked for that the policy does not use (spec.policy.enforcer).' },
  'enforcer-not-installed': { description: 'The policy uses an enforcer no plugin of the engine implements; add its plugin to the engine.' },
  'enforcer-cannot-do': { description: 'The enforcer\'s plugin has no such stage (it cannot verify, load, unload, confine a command or read an event channel).' },
  'plugin-failed': { description: 'A plugin threw or rejected instead of returning a result: a bug in that plugin. The message names the plugin, the stage and the reason.' },
  'mode-unsupported': { description: 'The enforcer cannot build a profile for the policy\'s mode (BPF has no behaviour-model or custom profile).' },
  'behavior-model-missing': { description: 'DefenseInDepth with profileType BehaviorModel needs the ArmorProfileModel of the profile (armorkit compile --model FILE).' },
  'behavior-model-invalid': { description: 'The behaviour model cannot be used for this profile: it was recorded for another one, or holds entries that cannot be written safely.' },
  'armor-profile-invalid': { description: 'An ArmorProfile\'s spec.profile has no readable profile for an enforcer (the field is missing, not JSON, or not that enforcer\'s format); the node agent does not load it.' },
  'custom-profile-invalid': { description: 'A DefenseInDepth customProfile the enforcer cannot read (not JSON, not an OCI seccomp profile, not an AppArmor profile we accept).' },
});

export type CoreErrorCode = keyof typeof coreErrors.codes;

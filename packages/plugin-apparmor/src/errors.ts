import { defineErrors } from '@armorkit/core';

/** The codes the AppArmor plugin raises; conditions shared with other enforcers use core's codes. */
export const appArmorErrors = defineErrors('@armorkit/plugin-apparmor', {
  'apparmor-raw-rule': { description: 'An appArmorRawRules entry is outside the AppArmor subset armorkit writes into profiles; the message says what and where in the rule text.' },
  'apparmor-parser-missing': { description: 'apparmor_parser was not found (verify, load, unload and run need it); install the apparmor package or give the plugin its path.' },
  'apparmor-parser': { description: 'apparmor_parser refused the compiled profile; the message gives its reason and the policy line the profile line came from.' },
  'apparmor-declared-profiles': { description: 'The profiles apparmor_parser says the text declares are not the ones compile wrote (a rule text that opened a profile of its own).' },
  'apparmor-transitions': { description: 'The compiled text has an exec transition compile did not write (a rule text that changes profile).' },
  'apparmor-profile-name': { description: 'The profile name cannot be used as a file name in the profile directory.' },
  'apparmor-not-enabled': { description: 'AppArmor is not enabled in this kernel, so profiles cannot be loaded or run here (try inside kernel-lab).' },
  'apparmor-load-failed': { description: 'apparmor_parser could not load the profile; the previous profile of that name stays in force.' },
  'apparmor-unload-failed': { description: 'apparmor_parser -R could not remove the profile.' },
  'apparmor-aa-exec-missing': { description: 'aa-exec, which `armorkit run` starts the command through, is not installed (Debian: apparmor).' },
  'apparmor-profile-live': { description: 'A profile of that name is already loaded (a live policy); `armorkit run` will not replace it.' },
  'apparmor-pod-profile-kept': { description: 'A container of a workload the policy targets chose its own AppArmor profile (securityContext.appArmorProfile, or the kubelet annotation); the mutating webhook leaves it, so the policy\'s profile does not confine that container.', severity: 'warning' },
});

export type AppArmorErrorCode = keyof typeof appArmorErrors.codes;

/** apparmor_parser is missing: one message wherever a stage needs it. */
export function parserMissing(candidates: readonly string[]) {
  return appArmorErrors.error('apparmor-parser-missing', '', `apparmor_parser not found (looked in ${candidates.join(', ')}); install the apparmor package`);
}

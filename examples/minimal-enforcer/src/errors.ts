import { defineErrors } from '@armorkit/core';

/** Every code this enforcer raises, declared once; the engine refuses a code another package declares too. */
export const egressListErrors = defineErrors('armorkit-example-minimal-enforcer', {
  'egress-list-http-rule': { description: 'The policy has NetworkProxy httpRules; the egress allow-list decides by address and port only, so it cannot enforce them.' },
  'egress-list-build-unsupported': { description: 'The policy asks for a profile the egress allow-list cannot build (only AlwaysAllow and rules on AlwaysAllow).' },
  'egress-list-directory-missing': { description: 'load needs a target directory to write the allow-list to.' },
  'egress-list-write-failed': { description: 'The allow-list could not be written to the target directory; the previous one, if any, is unchanged.' },
});

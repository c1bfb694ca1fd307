import { defineErrors } from '@armorkit/core';

/** The codes the controller (`armorkit k8s manager`) puts in a policy's status when it cannot make its ArmorProfile. */
export const controllerErrors = defineErrors('@armorkit/plugin-k8s', {
  'policy-not-read': { description: 'No dialect of the manager\'s engine reads the object as a policy (a kind or apiVersion it does not know); the policy gets phase Error.' },
  'policy-no-artifact': { description: 'The policy compiled to nothing: none of its enforcers is served by a plugin of the manager\'s engine. Install the plugin or change spec.policy.enforcer.' },
  'profile-name-taken': { description: 'An ArmorProfile (or the NetworkProxy Secret) with the policy\'s profile name already exists and belongs to something else; the controller leaves it alone. Rename one of the two.' },
});

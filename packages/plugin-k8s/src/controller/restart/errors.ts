import { defineErrors } from '@armorkit/core';

/** The codes of updateExistingWorkloads (the rolling restart of a policy's target workloads). */
export const restartErrors = defineErrors('@armorkit/plugin-k8s', {
  'restart-list-failed': { description: "The target workloads of a policy with updateExistingWorkloads could not be listed (the API server's answer is in the message); nothing was restarted, the controller tries again at its next reconcile." },
  'restart-update-failed': { description: 'A target workload could not be updated for its rolling restart (refused, or still in conflict after every retry); the message names it and the reason. The other targets are still restarted.' },
  'restart-reprofile-failed': { description: "A target workload's pod template could not be given the profiles of the policies now in force (the mutating webhook's reason is in the message); it is left unchanged." },
});

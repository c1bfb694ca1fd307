import { type PodChange, type PodChangeContext, type PolicyError, type Result, type SeccompPlan, type SecurityProfile, ok } from '@armorkit/core';
import { seccompErrors } from '../errors.js';

/** vArmor's per-container key: `unconfined` opts the container out; `localhost/<profile>` records the profile we set. */
export const seccompOptOutKey = (container: string) => `container.seccomp.security.beta.varmor.org/${container}`;

/**
 * How a pod must change to run its targeted containers under the policy's seccomp profile (reference §6.3): vArmor's
 * annotation and `securityContext.seccompProfile` — the runtime's default for RuntimeDefault policies, else the
 * kubelet file `<profileName>`. Privileged containers, opted-out ones and containers (or pods) the user made
 * Unconfined are left alone; so is a profile the user chose for a container, which vArmor would replace.
 */
export function seccompPodChanges(plan: SeccompPlan, context: PodChangeContext): Result<PodChange[]> {
  const changes: PodChange[] = [];
  const warnings: PolicyError[] = [];
  const value: SecurityProfile = plan.build.kind === 'RuntimeDefault' ? { type: 'RuntimeDefault' } : { type: 'Localhost', localhostProfile: plan.profileName };
  for (const container of context.containers) {
    const optOut = context.pod.annotations[seccompOptOutKey(container.name)];
    if (optOut === 'unconfined' || container.privileged) continue;
    if (container.seccompProfile?.type === 'Unconfined' || context.pod.seccompProfile?.type === 'Unconfined') continue;
    const setByUs = optOut !== undefined && optOut.startsWith('localhost/');
    if (container.seccompProfile && !setByUs) {
      const message = `container "${container.name}" sets its own seccompProfile (${container.seccompProfile.type}); armorkit leaves it as it is, so ${plan.profileName} does not confine it`;
      warnings.push(seccompErrors.error('seccomp-pod-profile-kept', `${container.pointer}/securityContext/seccompProfile`, message));
      continue;
    }
    changes.push({ kind: 'annotation', key: seccompOptOutKey(container.name), value: `localhost/${plan.profileName}`, container: container.name });
    changes.push({ kind: 'container-security-profile', container: container.name, field: 'seccompProfile', value });
  }
  return ok(changes, warnings);
}

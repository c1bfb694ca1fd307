import { type AppArmorPlan, type PodChange, type PodChangeContext, type PodContainer, type PolicyError, type Result, kubernetesVersionAtLeast, ok } from '@armorkit/core';
import { appArmorErrors } from '../errors.js';

/** vArmor's per-container key: `unconfined` opts the container out; from Kubernetes 1.30 it also records the profile we set. */
export const appArmorOptOutKey = (container: string) => `container.apparmor.security.beta.varmor.org/${container}`;
/** The kubelet's AppArmor annotation before 1.30 (deprecated from 1.30, where the securityContext field replaces it). */
export const appArmorAnnotationKey = (container: string) => `container.apparmor.security.beta.kubernetes.io/${container}`;

/** Profiles armorkit (and vArmor) name (reference §2.1): an annotation naming one was written by us, not by the user. */
const isManagedProfile = (value: string) => value.startsWith('localhost/varmor-');

/**
 * How a pod must change to run its targeted containers under the policy's AppArmor profile (reference §6.3, §9 item 5):
 * the kubelet annotation before Kubernetes 1.30, `securityContext.appArmorProfile` (and vArmor's own annotation) from
 * 1.30. A container opted out (`…varmor.org/<c>: unconfined`) or unconfined by the user is left alone; so is a
 * profile the user chose for a container, which vArmor would replace (docs/kubernetes.md, differences).
 */
export function appArmorPodChanges(plan: AppArmorPlan, context: PodChangeContext): Result<PodChange[]> {
  const changes: PodChange[] = [];
  const warnings: PolicyError[] = [];
  const localhost = `localhost/${plan.profileName}`;
  const { annotations } = context.pod;
  const generallyAvailable = kubernetesVersionAtLeast(context.kubernetesVersion, 1, 30);
  const kept = (container: PodContainer, pointer: string, what: string) =>
    warnings.push(appArmorErrors.error('apparmor-pod-profile-kept', pointer, `container "${container.name}" ${what}; armorkit leaves it as it is, so ${plan.profileName} does not confine it`));

  for (const container of context.containers) {
    const optOut = annotations[appArmorOptOutKey(container.name)];
    if (optOut === 'unconfined') continue;
    const annotation = annotations[appArmorAnnotationKey(container.name)];
    if (!generallyAvailable) {
      if (annotation === 'unconfined') continue;
      if (annotation !== undefined && annotation !== localhost && !isManagedProfile(annotation)) {
        kept(container, `${container.pointer}/name`, `has its own AppArmor annotation (${annotation})`);
        continue;
      }
      changes.push({ kind: 'annotation', key: appArmorAnnotationKey(container.name), value: localhost, container: container.name });
      continue;
    }
    if (container.appArmorProfile?.type === 'Unconfined' || context.pod.appArmorProfile?.type === 'Unconfined') continue;
    // Our annotation says the field holds the profile we set; without it, a profile on the container is the user's.
    const setByUs = optOut !== undefined && optOut.startsWith('localhost/');
    if (container.appArmorProfile && !setByUs) {
      kept(container, `${container.pointer}/securityContext/appArmorProfile`, `sets its own appArmorProfile (${container.appArmorProfile.type})`);
      continue;
    }
    // From 1.30 the API server refuses a pod whose annotation and field disagree.
    if (annotation !== undefined && annotation !== localhost) {
      kept(container, `${container.pointer}/name`, `has the AppArmor annotation ${annotation}, which the field must agree with`);
      continue;
    }
    changes.push({ kind: 'annotation', key: appArmorOptOutKey(container.name), value: localhost, container: container.name });
    changes.push({ kind: 'container-security-profile', container: container.name, field: 'appArmorProfile', value: { type: 'Localhost', localhostProfile: plan.profileName } });
  }
  return ok(changes, warnings);
}

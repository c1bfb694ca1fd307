import { kubeArmorSetProfileName } from '@armorkit/plugin-kubearmor/parse';
import type { ArmorProfile } from '@armorkit/core/schema';
import { KUBEARMOR_SET_LABEL, readKubeArmorSets } from '../cluster/kubearmor-sets.js';
import { KUBEARMOR_POLICY_KINDS, type PolicyKey, parsePolicyKey, policyApiVersion, POLICY_RESOURCES } from './names.js';

// The controller's side of merged KubeArmor profiles: which sets the marked pods use, where each set's ArmorProfile
// lives, and what it looks like. Pure; controller.ts watches the pods and writes the objects.

/** Queue keys of sets: `kubearmor-set:<namespace>/<profile>`. */
export const SET_KEY_PREFIX = 'kubearmor-set:';
export const setKeyOf = (namespace: string, profileName: string) => `${SET_KEY_PREFIX}${namespace}/${profileName}`;

/** A set a pod asks for: its profile, where it lives, its members. */
export interface PodSet {
  namespace: string;
  profileName: string;
  members: PolicyKey[];
}

type KubeArmorKind = (typeof KUBEARMOR_POLICY_KINDS)[number];
const isKubeArmorKey = (key: PolicyKey | undefined): key is PolicyKey & { kind: KubeArmorKind } => key !== undefined && KUBEARMOR_POLICY_KINDS.some((kind) => kind === key.kind);

interface PodLike {
  metadata?: { namespace?: string; annotations?: Record<string, string> };
}

/**
 * The sets a marked pod's annotation names, those only that the webhook could have written: KubeArmor policies, the
 * namespaced ones of the pod's own namespace (no other can select it), and the profile named after exactly these
 * members, so a pod cannot make the controller write a profile of a name it chose. The ArmorProfile lives in the
 * pod's namespace when a KubeArmorPolicy is among the members, else in armorkit's (as a cluster policy's does).
 */
export function podSetsOf(pod: PodLike, ownNamespace: string): PodSet[] {
  const podNamespace = pod.metadata?.namespace ?? '';
  const found: PodSet[] = [];
  for (const [profileName, memberKeys] of Object.entries(readKubeArmorSets(pod.metadata?.annotations))) {
    const keys = memberKeys.map(parsePolicyKey).filter(isKubeArmorKey);
    if (keys.length !== memberKeys.length) continue;
    if (keys.some((key) => POLICY_RESOURCES[key.kind].namespaced && key.namespace !== podNamespace)) continue;
    const named = kubeArmorSetProfileName(keys.map((key) => ({ kind: key.kind, name: key.name, ...(key.namespace ? { namespace: key.namespace } : {}) })));
    if (named !== profileName) continue;
    const namespaced = keys.some((key) => POLICY_RESOURCES[key.kind].namespaced);
    found.push({ namespace: namespaced ? podNamespace : ownNamespace, profileName, members: keys });
  }
  return found;
}

/** Whether an ArmorProfile is a merged set's (made by this module, not owned by one policy). */
export const isSetProfile = (profile: { metadata?: { labels?: Record<string, string> } } | undefined) => profile?.metadata?.labels?.[KUBEARMOR_SET_LABEL] === 'true';

/** A member policy object as an owner of the set's ArmorProfile. */
export interface SetMember {
  key: PolicyKey;
  uid: string;
}

/**
 * The ArmorProfile of a merged set: the one a policy's would be (`base`, from desiredArmorProfile), but owned by every
 * member (none the controller: the garbage collector deletes it when all are gone, the controller as soon as no pod
 * uses it), labelled as a set's, in the set's namespace.
 */
export function setArmorProfile(base: ArmorProfile, members: readonly SetMember[], namespace: string): ArmorProfile {
  return {
    ...base,
    metadata: {
      ...base.metadata,
      namespace,
      labels: { [KUBEARMOR_SET_LABEL]: 'true' },
      ownerReferences: members.map(({ key, uid }) => ({ apiVersion: policyApiVersion(key.kind), kind: key.kind, name: key.name, uid, controller: false, blockOwnerDeletion: false })),
    },
  };
}

import { splitEnforcerString, type Enforcer } from '@armorkit/core';
import { armorProfileSchema, type Profile } from '@armorkit/core/schema';
import { z } from 'zod';
import { type ModelingSession, modelingSessionOf } from '../model/session.js';
import { storedProfileDigest } from '../node-status/schema.js';

const ownerReferencesSchema = z.array(z.looseObject({ kind: z.string(), name: z.string(), controller: z.boolean().optional() }));

/** An ArmorProfile the agent applies: where it is, its profile, and the node-side enforcers of that profile. */
export interface WatchedProfile {
  namespace: string;
  name: string;
  /** The object's uid: the owner of the node's model parts. */
  uid: string;
  profile: Profile;
  /** BehaviorModeling: the run the node records for. */
  modeling?: ModelingSession;
  /** `storedProfileDigest` of the object: what the node's profile set holds for it. */
  digest: string;
  /** AppArmor, BPF and Seccomp among the profile's enforcers (NetworkProxy is the pod's sidecar, nothing on the node). */
  enforcers: NodeEnforcer[];
  /** The policy that owns it (ownerReferences), for violations.log. */
  owner?: { kind: string; name: string; namespace: string };
}

/** What an ArmorProfile object that cannot be applied is reported as (when it names itself). */
export interface UnreadableProfile {
  namespace: string;
  name: string;
  /** `storedProfileDigest` of the object, as for a readable one. */
  digest: string;
  problem: string;
}

export const NODE_ENFORCERS = ['AppArmor', 'BPF', 'Seccomp'] as const;
export type NodeEnforcer = (typeof NODE_ENFORCERS)[number];
const isNodeEnforcer = (enforcer: Enforcer): enforcer is NodeEnforcer => enforcer !== 'NetworkProxy';

function identity(object: unknown): { namespace?: string; name?: string; deleting: boolean } {
  if (typeof object !== 'object' || object === null || !('metadata' in object)) return { deleting: false };
  const metadata = object.metadata as { namespace?: unknown; name?: unknown; deletionTimestamp?: unknown } | undefined;
  return {
    ...(typeof metadata?.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    ...(typeof metadata?.name === 'string' ? { name: metadata.name } : {}),
    deleting: metadata?.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null,
  };
}

/**
 * The ArmorProfile objects the informer holds → the profiles to apply, sorted by namespace then name. One being
 * deleted (deletionTimestamp, held by the controller's finalizer) is not applied: the agent unloads it, and its entry
 * leaves the node's profile set, which is what lets the controller release the finalizer.
 */
export function readArmorProfiles(objects: readonly unknown[]): { profiles: WatchedProfile[]; unreadable: UnreadableProfile[] } {
  const profiles: WatchedProfile[] = [];
  const unreadable: UnreadableProfile[] = [];
  for (const object of objects) {
    const { namespace, name, deleting } = identity(object);
    if (deleting) continue;
    const parsed = armorProfileSchema.safeParse(object);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      if (namespace && name) unreadable.push({ namespace, name, digest: storedProfileDigest(object), problem: `the ArmorProfile is not valid: /${(issue?.path ?? []).map(String).join('/')}: ${issue?.message ?? 'invalid'}` });
      continue;
    }
    const armorProfile = parsed.data;
    const owners = ownerReferencesSchema.safeParse(armorProfile.metadata.ownerReferences);
    const controller = owners.success ? owners.data.find((reference) => reference.controller === true) : undefined;
    const profile = armorProfile.spec.profile;
    const modeling = modelingSessionOf(object);
    const uid = armorProfile.metadata.uid;
    profiles.push({
      namespace: armorProfile.metadata.namespace ?? '',
      name: armorProfile.metadata.name,
      uid: typeof uid === 'string' ? uid : '',
      profile,
      ...(modeling ? { modeling } : {}),
      digest: storedProfileDigest(object),
      enforcers: splitEnforcerString(profile.enforcer).enforcers.filter(isNodeEnforcer),
      ...(controller
        ? { owner: { kind: controller.kind, name: controller.name, namespace: controller.kind === 'VarmorClusterPolicy' ? '' : (armorProfile.metadata.namespace ?? '') } }
        : {}),
    });
  }
  const order = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);
  return { profiles: profiles.sort(order), unreadable: unreadable.sort(order) };
}

import type { Engine, PolicyIR } from '@armorkit/core';
import type { ArmorProfile } from '@armorkit/core/schema';
import { ApiException, type CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import type { Informer } from '../cluster/informer.js';
import type { PodSetIndex } from './pod-set-index.js';
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';
import { compilePlan, describeProblems, policyInput } from './compile-policy.js';
import { desiredArmorProfile, managedDiffers } from './desired-profile.js';
import type { InvolvedObject } from './events.js';
import { isSetProfile, type PodSet, SET_KEY_PREFIX, type SetMember, setArmorProfile, setKeyOf } from './kubearmor-sets.js';
import { describePolicy, type PolicyKey, policyApiVersion, policyKeyString, POLICY_RESOURCES, PROFILE_PLURAL } from './names.js';

type StoredObject = KubernetesObject & { spec?: unknown; status?: unknown };

export interface SetReconcilerOptions {
  engine: Engine;
  objects: CustomObjectsApi;
  /** armorkit's namespace: sets of cluster policies only live here. */
  namespace: string;
  verify: boolean;
  /** The sets the pods the webhook marked (label KUBEARMOR_SET_LABEL) name, kept current from their informer's events. */
  podSets: PodSetIndex;
  profiles: Informer;
  /** Moves when a namespace's posture annotations change (NamespacePostures.revision): the sets there are merged again. */
  postureRevision?: (namespace: string) => number;
  /** The stored policy object of a key, from the controller's informers. */
  policyOf: (key: PolicyKey) => StoredObject | undefined;
  /** The ArmorProfile's status from the nodes' reports, written when it differs. */
  syncStatus: (profile: StoredObject, namespace: string, name: string) => Promise<'done' | 'retry'>;
  wrote: (verb: string) => void;
  record: (object: InvolvedObject, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  isConflict: (error: unknown) => boolean;
  problemOf: (error: unknown) => string;
  log: (line: string) => void;
}

export interface SetReconciler {
  /** Reconciles `kubearmor-set:<ns>/<profile>`: the set's ArmorProfile made, updated, or deleted when no pod uses it. */
  reconcile(key: string): Promise<'done' | 'retry'>;
  /** The keys of the sets that have a policy among their members (the pods' marks say which). */
  keysOfPolicy(policy: PolicyKey): string[];
  /** Every set some pod names or some ArmorProfile holds (the resync). */
  allKeys(): string[];
  /** The set key of an ArmorProfile made for a set, else undefined. */
  keyOfProfile(profile: KubernetesObject): string | undefined;
}

const involvedOf = (key: PolicyKey, uid: string): InvolvedObject => ({
  apiVersion: policyApiVersion(key.kind),
  kind: key.kind,
  name: key.name,
  ...(POLICY_RESOURCES[key.kind].namespaced ? { namespace: key.namespace } : {}),
  ...(uid ? { uid } : {}),
});

/**
 * Merged KubeArmor profiles in a cluster: for each set of policies some marked pod's containers run under (the
 * webhook's `armorkit.dev/kubearmor-sets`), one ArmorProfile of the members' merge, under the set's name, kept
 * current as members change (a deleted member drops out; the name stays, as the pods ask for it), and deleted once no
 * pod uses it (its finalizer then waits for the nodes, as any ArmorProfile's).
 */
export function setReconciler(options: SetReconcilerOptions): SetReconciler {
  const { engine, objects, podSets, profiles } = options;
  // The last build of each set, by what it was built from: pods come and go in waves, the members rarely change.
  const built = new Map<string, { fingerprint: string; profile: ArmorProfile } | { fingerprint: string; problem: string }>();

  async function deleteProfile(namespace: string, name: string, stored: StoredObject | undefined): Promise<'done' | 'retry'> {
    if (!stored || stored.metadata?.deletionTimestamp || !isSetProfile(stored)) return 'done';
    try {
      await objects.deleteNamespacedCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, namespace, plural: PROFILE_PLURAL, name });
      options.wrote('delete');
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return 'done';
      options.log(`ArmorProfile ${namespace}/${name} (a KubeArmor set) not deleted: ${options.problemOf(error)}`);
      return 'retry';
    }
    return 'done';
  }

  /** The set's ArmorProfile as its members are now, or why it cannot be built. */
  async function build(set: PodSet, members: readonly { key: PolicyKey; object: StoredObject }[], fingerprint: string): Promise<{ profile: ArmorProfile } | { problem: string }> {
    const setKey = setKeyOf(set.namespace, set.profileName);
    const policies: PolicyIR[] = [];
    for (const { key, object } of members) {
      const input = policyInput(object);
      const parsed = engine.parse(input.text, input.name);
      const [policy] = parsed.policies;
      if (!policy || parsed.errors.length > 0) return remember(setKey, fingerprint, { problem: `${describePolicy(key)} does not validate: ${describeProblems(parsed.errors)}` });
      policies.push(policy);
    }
    const combined = engine.combine(policies, { profileName: set.profileName });
    if (!combined.policy) return remember(setKey, fingerprint, { problem: describeProblems(combined.errors) });
    const { plan, errors } = engine.resolve(combined.policy);
    if (!plan) return remember(setKey, fingerprint, { problem: describeProblems(errors) });
    const compiled = await compilePlan(engine, plan, `the merge of ${members.map(({ key }) => describePolicy(key)).join(', ')}`, { verify: options.verify });
    if (!compiled.ok) return remember(setKey, fingerprint, { problem: describeProblems(compiled.errors) });
    const [first] = members;
    if (!first) return remember(setKey, fingerprint, { problem: 'no member' });
    const owner = { kind: first.key.kind, name: first.key.name, ...(first.key.namespace ? { namespace: first.key.namespace } : {}), uid: first.object.metadata?.uid ?? '' };
    const desired = desiredArmorProfile(owner, compiled.plan, compiled.artifacts, options.namespace);
    if (!desired.ok) return remember(setKey, fingerprint, { problem: describeProblems(desired.errors) });
    const owners: SetMember[] = members.map(({ key, object }) => ({ key, uid: object.metadata?.uid ?? '' }));
    return remember(setKey, fingerprint, { profile: setArmorProfile(desired.value.armorProfile, owners, set.namespace) });
  }

  function remember<T extends { profile: ArmorProfile } | { problem: string }>(setKey: string, fingerprint: string, result: T): T {
    built.set(setKey, { fingerprint, ...result });
    return result;
  }

  async function reconcile(key: string): Promise<'done' | 'retry'> {
    const [namespace = '', name = ''] = key.slice(SET_KEY_PREFIX.length).split('/');
    const stored = profiles.get(name, namespace) as StoredObject | undefined;
    if (stored && !isSetProfile(stored)) {
      options.log(`KubeArmor set ${namespace}/${name}: the ArmorProfile of that name belongs to a policy; the set is not written`);
      return 'done';
    }
    const set = podSets.setOf(key);
    const members = (set?.members ?? []).flatMap((member) => {
      const object = options.policyOf(member);
      return object && !object.metadata?.deletionTimestamp ? [{ key: member, object }] : [];
    });
    if (!set || members.length === 0) {
      built.delete(key);
      return deleteProfile(namespace, name, stored);
    }
    const postures = options.postureRevision?.(namespace) ?? 0;
    const fingerprint = `${members.map(({ key: member, object }) => `${policyKeyString(member)}@${object.metadata?.uid ?? ''}/${object.metadata?.generation ?? 0}`).join(',')}#${postures}`;
    const cached = built.get(key);
    const made = cached?.fingerprint === fingerprint ? cached : await build(set, members, fingerprint);
    if ('problem' in made) {
      // Said once per change of the members, not at every pod of the set.
      if (made !== cached) {
        const message = `the KubeArmor policies of ArmorProfile ${namespace}/${name} cannot be merged: ${made.problem}`;
        options.log(message);
        for (const { key: member, object } of members) options.record(involvedOf(member, object.metadata?.uid ?? ''), 'Warning', 'MergeFailed', message);
      }
      return 'done';
    }
    let current: StoredObject;
    try {
      if (!stored) {
        current = (await objects.createNamespacedCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, namespace, plural: PROFILE_PLURAL, body: made.profile })) as StoredObject;
        options.wrote('create');
      } else if (stored.metadata?.deletionTimestamp) {
        // Deleted while no pod used it, and used again: made anew once the nodes have unloaded the old one.
        return 'retry';
      } else if (managedDiffers(stored, made.profile)) {
        const body = { ...made.profile, metadata: { ...stored.metadata, ...made.profile.metadata, resourceVersion: stored.metadata?.resourceVersion }, ...(stored.status !== undefined ? { status: stored.status } : {}) };
        current = (await objects.replaceNamespacedCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, namespace, plural: PROFILE_PLURAL, name, body })) as StoredObject;
        options.wrote('replace');
      } else current = stored;
    } catch (error) {
      if (!options.isConflict(error)) options.log(`ArmorProfile ${namespace}/${name} (a KubeArmor set) not written: ${options.problemOf(error)}`);
      return 'retry';
    }
    return options.syncStatus(current, namespace, name);
  }

  return {
    reconcile,
    keysOfPolicy: (policy) => podSets.keysOfPolicy(policy),
    allKeys: () => [
      ...new Set([
        ...podSets.keys(),
        ...profiles.list().flatMap((profile) => (isSetProfile(profile) ? [setKeyOf(profile.metadata?.namespace ?? '', profile.metadata?.name ?? '')] : [])),
      ]),
    ],
    keyOfProfile: (profile) => (isSetProfile(profile) ? setKeyOf(profile.metadata?.namespace ?? '', profile.metadata?.name ?? '') : undefined),
  };
}

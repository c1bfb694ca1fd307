import type { KubernetesObject } from '@kubernetes/client-node';
import { type PodSet, podSetsOf, setKeyOf } from './kubearmor-sets.js';
import { type PolicyKey, policyKeyString } from './names.js';

interface SetUsers {
  set: PodSet;
  pods: Set<string>;
}

/**
 * The merged KubeArmor sets the marked pods name, kept current from the pod informer's events: each set's pods and
 * each policy's sets, so that a set key or a policy event costs the sets concerned, not a scan of every marked pod.
 */
export class PodSetIndex {
  /** The set keys each pod names (`<namespace>/<name>` of the pod). */
  private readonly ofPod = new Map<string, string[]>();
  private readonly users = new Map<string, SetUsers>();
  /** The set keys each member policy (policyKeyString) belongs to. */
  private readonly ofPolicy = new Map<string, Set<string>>();

  constructor(
    /** armorkit's namespace: the sets of cluster policies only live there. */
    private readonly namespace: string,
  ) {}

  /** A pod was added, changed (`gone` false) or deleted: the keys of the sets it named before or names now. */
  update(pod: KubernetesObject, gone: boolean): string[] {
    const podKey = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    const before = this.ofPod.get(podKey) ?? [];
    const named = (gone ? [] : podSetsOf(pod, this.namespace)).map((set) => ({ key: setKeyOf(set.namespace, set.profileName), set }));
    const after = named.map(({ key }) => key);
    for (const key of before) if (!after.includes(key)) this.leave(key, podKey);
    for (const { key, set } of named) this.join(key, set, podKey);
    if (after.length > 0) this.ofPod.set(podKey, after);
    else this.ofPod.delete(podKey);
    return [...new Set([...before, ...after])];
  }

  /** The set as its pods name it, while some pod does. */
  setOf(setKey: string): PodSet | undefined {
    return this.users.get(setKey)?.set;
  }

  /** The keys of the sets with this policy among their members. */
  keysOfPolicy(policy: PolicyKey): string[] {
    return [...(this.ofPolicy.get(policyKeyString(policy)) ?? [])];
  }

  /** Every set some pod names. */
  keys(): string[] {
    return [...this.users.keys()];
  }

  private join(setKey: string, set: PodSet, podKey: string): void {
    let users = this.users.get(setKey);
    if (!users) {
      // A set's key is its profile's name, made from its members: every pod naming it names the same members.
      this.users.set(setKey, (users = { set, pods: new Set() }));
      for (const member of set.members) {
        const text = policyKeyString(member);
        let keys = this.ofPolicy.get(text);
        if (!keys) this.ofPolicy.set(text, (keys = new Set()));
        keys.add(setKey);
      }
    }
    users.pods.add(podKey);
  }

  private leave(setKey: string, podKey: string): void {
    const users = this.users.get(setKey);
    if (!users) return;
    users.pods.delete(podKey);
    if (users.pods.size > 0) return;
    this.users.delete(setKey);
    for (const member of users.set.members) {
      const text = policyKeyString(member);
      const keys = this.ofPolicy.get(text);
      keys?.delete(setKey);
      if (keys?.size === 0) this.ofPolicy.delete(text);
    }
  }
}

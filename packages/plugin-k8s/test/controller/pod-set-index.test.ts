// PodSetIndex keeps each merged KubeArmor set's pods and each policy's sets from the marked pods' events; it must
// answer what a scan of every marked pod (podSetsOf over the informer's list) answers, after any sequence of events.
import { kubeArmorSetProfileName } from '@armorkit/plugin-kubearmor/parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KUBEARMOR_SETS_ANNOTATION } from '../../src/cluster/kubearmor-sets.js';
import { podSetsOf, setKeyOf } from '../../src/controller/kubearmor-sets.js';
import { parsePolicyKey, policyKeyString } from '../../src/controller/names.js';
import { PodSetIndex } from '../../src/controller/pod-set-index.js';

const OWN = 'armorkit';
const MEMBERS = ['KubeArmorPolicy/shop/web', 'KubeArmorPolicy/shop/db', 'KubeArmorPolicy/blog/web', 'KubeArmorClusterPolicy//base', 'KubeArmorClusterPolicy//audit'];
/** The sets a webhook could write: two or three members, named after them. */
const SETS = [
  [0, 1],
  [0, 3],
  [1, 3, 4],
  [2, 3],
  [3, 4],
].map((indexes) => {
  const keys = indexes.map((index) => MEMBERS[index]!).sort();
  const name = kubeArmorSetProfileName(keys.map((key) => parsePolicyKey(key)!).map(({ kind, namespace, name }) => ({ kind: kind as 'KubeArmorPolicy', name, ...(namespace ? { namespace } : {}) })));
  return [name, keys] as const;
});

const pod = (namespace: string, name: string, sets: number[]) => ({
  metadata: { namespace, name, annotations: { [KUBEARMOR_SETS_ANNOTATION]: JSON.stringify(Object.fromEntries(sets.map((index) => SETS[index]!))) } },
});

/** What the reconciler computed before the index: a scan of every pod. */
function scanned(pods: Map<string, ReturnType<typeof pod>>) {
  const sets = [...pods.values()].flatMap((each) => podSetsOf(each, OWN));
  const keyOf = (set: (typeof sets)[number]) => setKeyOf(set.namespace, set.profileName);
  return {
    keys: [...new Set(sets.map(keyOf))].sort(),
    ofPolicy: (member: string) => [...new Set(sets.filter((set) => set.members.some((key) => policyKeyString(key) === member)).map(keyOf))].sort(),
    setOf: (key: string) => sets.find((set) => keyOf(set) === key),
  };
}

describe('PodSetIndex', () => {
  it('a set lives while some pod names it; a pod that leaves one returns it, to be reconciled (deleted when unused)', () => {
    const index = new PodSetIndex(OWN);
    const [shopSet] = SETS;
    const key = setKeyOf('shop', shopSet![0]);
    expect(index.update(pod('shop', 'a', [0]), false)).toEqual([key]);
    expect(index.update(pod('shop', 'b', [0]), false)).toEqual([key]);
    expect(index.setOf(key)?.members.map(policyKeyString)).toEqual(shopSet![1]);
    expect(index.keysOfPolicy(parsePolicyKey('KubeArmorPolicy/shop/web')!)).toEqual([key]);
    // a moves to another set: both are returned; the first keeps b.
    const cluster = setKeyOf('shop', SETS[1]![0]);
    expect(index.update(pod('shop', 'a', [1]), false).sort()).toEqual([key, cluster].sort());
    expect(index.keys().sort()).toEqual([key, cluster].sort());
    expect(index.update(pod('shop', 'b', [0]), true)).toEqual([key]);
    expect(index.setOf(key)).toBeUndefined();
    expect(index.keysOfPolicy(parsePolicyKey('KubeArmorPolicy/shop/db')!)).toEqual([]);
    // A set naming another namespace's policy is not one the webhook could write for this pod: ignored.
    expect(index.update(pod('blog', 'c', [0]), false)).toEqual([]);
  });

  it('answers as a scan of every marked pod does, after any sequence of adds, changes and deletes', () => {
    const event = fc.record({
      pod: fc.constantFrom('a', 'b', 'c', 'd'),
      namespace: fc.constantFrom('shop', 'blog'),
      sets: fc.uniqueArray(fc.integer({ min: 0, max: SETS.length - 1 }), { maxLength: 3 }),
      gone: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        const index = new PodSetIndex(OWN);
        const pods = new Map<string, ReturnType<typeof pod>>();
        for (const { pod: name, namespace, sets, gone } of events) {
          const object = pod(namespace, name, sets);
          const podKey = `${namespace}/${name}`;
          const before = scanned(pods).keys;
          if (gone) pods.delete(podKey);
          else pods.set(podKey, object);
          const touched = index.update(object, gone);
          const after = scanned(pods);
          expect(index.keys().sort()).toEqual(after.keys);
          for (const member of MEMBERS) expect(index.keysOfPolicy(parsePolicyKey(member)!).sort()).toEqual(after.ofPolicy(member));
          for (const key of after.keys) expect(index.setOf(key)).toEqual(after.setOf(key));
          // Every set that appeared or went is among the keys returned.
          for (const key of [...before.filter((key) => !after.keys.includes(key)), ...after.keys.filter((key) => !before.includes(key))]) expect(touched).toContain(key);
        }
      }),
    );
  });
});

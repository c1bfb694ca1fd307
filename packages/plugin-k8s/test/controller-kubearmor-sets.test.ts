// Merged KubeArmor profiles in a cluster: the webhook marks a pod whose container several KubeArmor policies select;
// the controller makes that set's ArmorProfile (the members' merge, owned by all of them), keeps it current as they
// change, and deletes it once no pod uses it. A pod's forged mark makes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { KUBEARMOR_SETS_ANNOTATION } from '../src/cluster/kubearmor-sets.js';
import { DEFAULT_MATCH_LABELS } from '../src/mutate/match-labels.js';
import { mutateWorkload } from '../src/mutate/mutate-workload.js';
import { policiesFromTexts } from '../src/mutate/policy-source.js';
import { readWorkload } from '../src/mutate/workload.js';
import { applyPatch } from './mutate-harness.js';
import { ApiDouble, type KubeObject, KUBEARMOR_RESOURCES } from './support/api-double.js';
import { engine, type Harness, KUBEARMOR_POLICIES, PROFILES, reportNode, startHarness, until } from './support/controller-harness.js';

const PODS = '/api/v1/pods';
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.controller.stop();
  await harness?.api.close();
  harness = undefined;
});

async function started(): Promise<Harness> {
  const api = await new ApiDouble().start();
  for (const definition of KUBEARMOR_RESOURCES) api.define(definition);
  harness = await startHarness({ kubearmor: true }, api);
  return harness;
}

const ksp = (name: string, path: string): KubeObject => ({
  apiVersion: 'security.kubearmor.com/v1',
  kind: 'KubeArmorPolicy',
  metadata: { name, namespace: 'demo' },
  spec: { selector: { matchLabels: { app: 'web' } }, file: { matchPaths: [{ path }] }, action: 'Block' },
});

const podObject = (): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, uid: 'pod-uid-1' },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
});

/** The pod as the mutating webhook admits it, given the policies the cluster holds. */
function admitted(policies: readonly KubeObject[]): KubeObject {
  const read = policiesFromTexts(engine, policies.map((policy) => ({ name: policy.metadata.name, text: JSON.stringify(policy) })));
  expect(read.errors).toEqual([]);
  const workload = readWorkload(podObject());
  if (!workload.ok) throw new Error('pod unreadable');
  const mutation = mutateWorkload({ engine, policies: read.policies, workload: workload.value, kubernetesVersion: { major: 1, minor: 30 }, now: new Date(), matchLabels: DEFAULT_MATCH_LABELS });
  if (!mutation.ok) throw new Error(mutation.errors.map((error) => error.message).join('; '));
  return applyPatch(podObject(), mutation.value.operations) as unknown as KubeObject;
}

/** node-1 reports every profile the cache holds and is not deleting as applied (a node reports its whole set). */
const reportAll = (h: Harness) =>
  reportNode(h.api, 'node-1', h.api.list(PROFILES).filter((profile) => !profile.metadata.deletionTimestamp).map((profile) => ({ namespace: profile.metadata.namespace ?? '', name: profile.metadata.name, profile: h.profileOf(profile.metadata.name) })));

const setNameOf = (pod: KubeObject) => Object.keys(JSON.parse(pod.metadata.annotations?.[KUBEARMOR_SETS_ANNOTATION] ?? '{}') as Record<string, unknown>)[0];

describe('controller: merged KubeArmor profiles', () => {
  it('a marked pod: the set\'s ArmorProfile, the union of its members, owned by both; updated and shrunk as they change; deleted with the last pod', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    const shadow = ksp('no-shadow', '/etc/shadow');
    const hosts = ksp('no-hosts', '/etc/hosts');
    h.api.put(KUBEARMOR_POLICIES, shadow);
    h.api.put(KUBEARMOR_POLICIES, hosts);
    const pod = admitted([shadow, hosts]);
    const name = setNameOf(pod);
    expect(name).toMatch(/^kubearmor-demo-set-[0-9a-f]{10}$/);
    expect((pod.spec as { containers: { securityContext?: { appArmorProfile?: { localhostProfile?: string } } }[] }).containers[0]?.securityContext?.appArmorProfile?.localhostProfile).toBe(name);
    h.api.put(PODS, pod);

    const stored = await until(() => h.api.get(PROFILES, name!, 'demo'));
    expect(stored.metadata.labels).toEqual({ 'armorkit.dev/kubearmor-set': 'true' });
    expect(stored.metadata.ownerReferences?.map((owner) => [owner.kind, owner.name, owner.controller])).toEqual([
      ['KubeArmorPolicy', 'no-hosts', false],
      ['KubeArmorPolicy', 'no-shadow', false],
    ]);
    expect(stored.metadata.finalizers).toEqual(['varmor.org/ap-protection']);
    expect(h.profileOf(name!).appArmor).toContain(`profile ${name}`);
    expect(h.profileOf(name!).appArmor).toMatch(/audit deny \/etc\/shadow/);
    expect(h.profileOf(name!).appArmor).toMatch(/audit deny \/etc\/hosts/);
    // The status from the nodes, as for a policy's profile (a node reports every profile it applied).
    await h.controller.idle();
    reportAll(h);
    await until(() => (h.api.get(PROFILES, name!, 'demo')?.status as { currentNumberLoaded?: number } | undefined)?.currentNumberLoaded === 1);

    // A member changes: the set follows.
    h.api.put(KUBEARMOR_POLICIES, ksp('no-hosts', '/etc/hostname'));
    await until(() => /audit deny \/etc\/hostname/.test(h.profileOf(name!).appArmor ?? ''));
    expect(h.profileOf(name!).appArmor).not.toMatch(/\/etc\/hosts\b/);
    // A member goes: the set keeps its name (the pods ask for it) with the rules that are left.
    h.api.delete(KUBEARMOR_POLICIES, 'no-hosts', 'demo');
    await until(() => !/\/etc\/hostname/.test(h.profileOf(name!).appArmor ?? ''));
    expect(h.profileOf(name!).appArmor).toMatch(/audit deny \/etc\/shadow/);
    expect(h.api.get(PROFILES, name!, 'demo')?.metadata.ownerReferences?.map((owner) => owner.name)).toEqual(['no-shadow']);

    // The last pod goes: the profile is deleted, and released once no node holds it.
    h.api.delete(PODS, 'web-1', 'demo');
    await until(() => h.api.get(PROFILES, name!, 'demo')?.metadata.deletionTimestamp);
    await h.controller.idle();
    expect(h.api.get(PROFILES, name!, 'demo')?.metadata.finalizers).toEqual(['varmor.org/ap-protection']);
    reportAll(h);
    await until(() => !h.api.get(PROFILES, name!, 'demo'));
  });

  it('a forged mark makes nothing: a name that is not the members\' own, a member of another namespace', async () => {
    const h = await started();
    const shadow = ksp('no-shadow', '/etc/shadow');
    const hosts = ksp('no-hosts', '/etc/hosts');
    h.api.put(KUBEARMOR_POLICIES, shadow);
    h.api.put(KUBEARMOR_POLICIES, hosts);
    const pod = admitted([shadow, hosts]);
    const members = ['KubeArmorPolicy/demo/no-hosts', 'KubeArmorPolicy/demo/no-shadow'];
    const forged = (sets: Record<string, string[]>, name: string): KubeObject => ({ ...pod, metadata: { ...pod.metadata, name, uid: name, annotations: { ...pod.metadata.annotations, [KUBEARMOR_SETS_ANNOTATION]: JSON.stringify(sets) } } });
    h.api.put(PODS, forged({ 'varmor-demo-web': members }, 'chosen-name'));
    h.api.put(PODS, forged({ [setNameOf(pod)!]: ['KubeArmorPolicy/prod/no-hosts', 'KubeArmorPolicy/demo/no-shadow'] }, 'other-namespace'));
    await h.controller.idle();
    expect(h.api.list(PROFILES).map((profile) => profile.metadata.name).sort()).toEqual(['kubearmor-demo-no-hosts', 'kubearmor-demo-no-shadow']);
  });
});

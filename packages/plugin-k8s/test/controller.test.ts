// The controller through client-node against the API double: policies become ArmorProfiles, node reports become
// statuses, deletion waits for the nodes, and faults (conflicts, dropped watches) are recovered from.
import { afterEach, describe, expect, it } from 'vitest';
import { PROFILE_FINALIZER } from '../src/controller/names.js';
import { ApiDouble } from './support/api-double.js';
import {
  CLUSTER_POLICIES,
  type Harness,
  NODE_STATUSES,
  POLICIES,
  PROFILES,
  reportNode,
  SECRETS,
  startHarness,
  until,
  varmorPolicy,
} from './support/controller-harness.js';

const PROFILE = 'varmor-demo-web';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.controller.stop();
  await harness?.api.close();
  harness = undefined;
});

async function started(prepare: (api: ApiDouble) => void = () => {}, overrides = {}) {
  harness = await startHarness(overrides);
  prepare(harness.api);
  return harness;
}

const phaseOf = (h: Harness, name = 'web', collection = POLICIES) => h.statusOf(name, collection).phase;
const condition = (h: Harness, type: string, name = 'web', collection = POLICIES) => h.statusOf(name, collection).conditions?.find((entry) => entry.type === type);

describe('controller: VarmorPolicy → ArmorProfile', () => {
  it('creates the ArmorProfile (owned, finalized, every artifact), then Pending until the nodes report, then Protecting', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    reportNode(h.api, 'node-2', []);
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'AppArmorBPFSeccomp' }));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    await h.controller.idle();
    const stored = h.api.get(PROFILES, PROFILE, 'demo')!;
    const policy = h.api.get(POLICIES, 'web', 'demo')!;
    expect(stored.metadata.ownerReferences).toEqual([{ apiVersion: 'crd.varmor.org/v1beta1', kind: 'VarmorPolicy', name: 'web', uid: policy.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(stored.metadata.finalizers).toEqual([PROFILE_FINALIZER]);
    expect(stored.metadata.labels).toEqual({ team: 'web' });
    const profile = h.profileOf(PROFILE);
    expect(profile).toMatchObject({ name: PROFILE, enforcer: 'AppArmorBPFSeccomp', mode: 'enforce' });
    expect(profile.appArmor).toContain(`profile ${PROFILE}`);
    expect(JSON.parse(profile.seccomp!)).toHaveProperty('defaultAction');
    expect(profile.bpf).toBeDefined();
    expect(h.statusOf('web')).toMatchObject({ profileName: PROFILE, phase: 'Pending', ready: false });
    expect(condition(h, 'Created')).toMatchObject({ status: 'True', reason: 'Created' });
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: 'Processing', message: 'loaded on 0 of 2 nodes' });
    expect(stored.status).toEqual({ desiredNumberLoaded: 2, currentNumberLoaded: 0 });

    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile }]);
    await until(() => condition(h, 'Ready')?.message === 'loaded on 1 of 2 nodes');
    reportNode(h.api, 'node-2', [{ namespace: 'demo', name: PROFILE, profile }]);
    await until(() => phaseOf(h) === 'Protecting');
    expect(h.statusOf('web')).toMatchObject({ ready: true });
    expect(condition(h, 'Ready')).toMatchObject({ status: 'True', reason: 'AllAgentsReady' });
    expect(h.api.get(PROFILES, PROFILE, 'demo')!.status).toEqual({ desiredNumberLoaded: 2, currentNumberLoaded: 2 });
    // Events are written beside the status, not before it.
    await until(() => h.events().length >= 2);
    const reasons = h.events().map((event) => `${event.involvedObject.kind}/${event.reason}`);
    expect(reasons).toEqual(expect.arrayContaining(['VarmorPolicy/Created', 'VarmorPolicy/Ready']));
  });

  it('one failed node: phase Error naming the node and its message; a condition per failed node on the ArmorProfile', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    reportNode(h.api, 'node-2', []);
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'BPF' }));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    const profile = h.profileOf(PROFILE);
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile }]);
    const message = 'BPF: the BPF LSM is not active (/sys/kernel/security/lsm)';
    reportNode(h.api, 'node-2', [{ namespace: 'demo', name: PROFILE, profile, state: 'failed', message }]);
    await until(() => phaseOf(h) === 'Error');
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: 'Error' });
    expect(condition(h, 'Ready')!.message).toContain(`node node-2: ${message}`);
    expect(condition(h, 'Ready')!.message).toContain(`ArmorProfile object (demo/${PROFILE})`);
    await h.controller.idle();
    expect(h.api.get(PROFILES, PROFILE, 'demo')!.status).toMatchObject({
      desiredNumberLoaded: 2,
      currentNumberLoaded: 1,
      conditions: [{ type: 'Ready', status: 'False', nodeName: 'node-2', reason: 'LoadFailed', message }],
    });
    await until(() => h.events().some((event) => event.type === 'Warning' && event.reason === 'LoadFailed' && event.message.includes('node-2')));
  });

  it('an update rewrites the ArmorProfile: Updated, Pending again until the nodes load the new version; seccomp changes say a restart is needed', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'AppArmorSeccomp' }));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    const first = h.profileOf(PROFILE);
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile: first }]);
    await until(() => phaseOf(h) === 'Protecting');
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'AppArmorSeccomp', enhanceProtect: { hardeningRules: ['disable-cap-privileged'], syscallRawRules: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }] } }));
    await until(() => condition(h, 'Updated'));
    expect(condition(h, 'Updated')).toMatchObject({ status: 'True', reason: 'Updated' });
    expect(condition(h, 'Updated')!.message).toContain('the seccomp profile changed, which needs a restart: running containers keep the filter they started with until they restart');
    expect(phaseOf(h)).toBe('Pending');
    const second = h.profileOf(PROFILE);
    expect(second.seccomp).not.toEqual(first.seccomp);
    // The node still reports the old version: it does not count.
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile: first }]);
    await h.controller.idle();
    expect(phaseOf(h)).toBe('Pending');
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile: second }]);
    await until(() => phaseOf(h) === 'Protecting');
    await until(() => h.events().some((event) => event.reason === 'Updated'));
  });

  it('deleting the policy: the finalizer holds the ArmorProfile until no node lists it (a stale node does not count)', async () => {
    const h = await started(() => {}, { nodeTimeout: 60_000 });
    reportNode(h.api, 'node-1', []);
    h.api.put(POLICIES, varmorPolicy('web'));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    const profile = h.profileOf(PROFILE);
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile }]);
    reportNode(h.api, 'node-2', [{ namespace: 'demo', name: PROFILE, profile }]);
    // node-3 stopped reporting long ago: it has no agent any more, whatever its last report said.
    reportNode(h.api, 'node-3', [{ namespace: 'demo', name: PROFILE, profile }], new Date(Date.now() - 120_000));
    await until(() => phaseOf(h) === 'Protecting');
    h.api.delete(POLICIES, 'web', 'demo');
    await until(() => h.api.get(PROFILES, PROFILE, 'demo')?.metadata.deletionTimestamp);
    await h.controller.idle();
    expect(h.api.get(PROFILES, PROFILE, 'demo')!.metadata.finalizers).toEqual([PROFILE_FINALIZER]);
    reportNode(h.api, 'node-1', []);
    await h.controller.idle();
    expect(h.api.get(PROFILES, PROFILE, 'demo')).toBeDefined();
    // The other node leaves the cluster (its ArmorNodeStatus goes with it).
    h.api.delete(NODE_STATUSES, 'node-2');
    await until(() => !h.api.get(PROFILES, PROFILE, 'demo'));
    const reasons = () => h.events().filter((event) => event.involvedObject.kind === 'ArmorProfile').map((event) => event.reason);
    await until(() => reasons().length === 2);
    expect(reasons()).toEqual(['Unloading', 'Unloaded']);
  });

  it('a policy that bypassed the webhook: phase Error with the field and the reason; fixing it creates the profile', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    h.api.put(POLICIES, varmorPolicy('web', { mode: 'EnhanceProtect', enhanceProtect: { hardeningRules: ['no-such-rule'] } }));
    await until(() => phaseOf(h) === 'Error');
    const created = condition(h, 'Created')!;
    expect(created).toMatchObject({ status: 'False', reason: 'Forbidden' });
    expect(created.message).toMatch(/^\/spec\/policy\/enhanceProtect\/hardeningRules\/0: .*no-such-rule/);
    expect(h.statusOf('web').ready).toBe(false);
    expect(h.api.get(PROFILES, PROFILE, 'demo')).toBeUndefined();
    await until(() => h.events().some((event) => event.type === 'Warning' && event.reason === 'Forbidden' && event.message.includes('/spec/policy/enhanceProtect/hardeningRules/0')));
    h.api.put(POLICIES, varmorPolicy('web'));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    await until(() => condition(h, 'Created')?.status === 'True');
  });

  it('cluster policies: the ArmorProfile lives in armorkit\'s namespace, and is made before the namespaced ones', async () => {
    const api = await new ApiDouble().start();
    reportNode(api, 'node-1', []);
    api.put(POLICIES, varmorPolicy('web'));
    api.put(CLUSTER_POLICIES, varmorPolicy('everywhere', {}, 'VarmorClusterPolicy'));
    const h = (harness = await startHarness({ workers: 1 }, api));
    const name = 'varmor-cluster-varmor-everywhere';
    await until(() => h.api.get(PROFILES, name, 'armorkit') && h.api.get(PROFILES, PROFILE, 'demo'));
    const creates = h.api.requests.filter((line) => line.startsWith('POST') && line.endsWith('/armorprofiles'));
    expect(creates).toEqual(['POST /apis/crd.varmor.org/v1beta1/namespaces/armorkit/armorprofiles', 'POST /apis/crd.varmor.org/v1beta1/namespaces/demo/armorprofiles']);
    reportNode(h.api, 'node-1', [{ namespace: 'armorkit', name, profile: h.profileOf(name, 'armorkit') }]);
    await until(() => h.statusOf('everywhere', CLUSTER_POLICIES).phase === 'Protecting');
    expect(h.api.get(PROFILES, name, 'armorkit')!.metadata.ownerReferences![0]).toMatchObject({ kind: 'VarmorClusterPolicy', name: 'everywhere' });
  });

  it('NetworkProxy: the Secret <profile> in the policy\'s namespace holds the configuration the sidecar mounts', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    const egress = { defaultAction: 'deny', rules: [{ qualifiers: ['allow'], ip: '10.0.0.1', ports: [{ port: 443 }] }] };
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'NetworkProxy', enhanceProtect: { networkProxyRawRules: { egress } } }));
    const secret = await until(() => h.api.get(SECRETS, PROFILE, 'demo'));
    expect(secret.type).toBe('Opaque');
    const data = secret.data as Record<string, string>;
    expect(Object.keys(data)).toEqual([`${PROFILE}.networkproxy.json`]);
    const config = JSON.parse(Buffer.from(data[`${PROFILE}.networkproxy.json`]!, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(JSON.stringify(config)).toContain('10.0.0.1');
    expect(secret.metadata.ownerReferences![0]).toMatchObject({ kind: 'VarmorPolicy', name: 'web', controller: true });
    // Dropping NetworkProxy from the policy removes the Secret.
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'AppArmor' }));
    await until(() => !h.api.get(SECRETS, PROFILE, 'demo'));
  });
});

describe('controller: faults', () => {
  it('writes the policy\'s status beside its ArmorProfile\'s, not after it, and tries the key again when the ArmorProfile\'s conflicts', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    h.api.put(POLICIES, varmorPolicy('web'));
    await until(() => phaseOf(h) === 'Pending');
    await h.controller.idle();
    // The ArmorProfile's status write is held, then refused: the policy's is made meanwhile.
    h.api.inject({ method: 'PUT', path: `/armorprofiles/${PROFILE}/status`, code: 409, reason: 'Conflict', delay: 1_000 });
    const mark = h.api.requests.length;
    const retries = h.controller.stats.retries;
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }]);
    await until(() => phaseOf(h) === 'Protecting');
    expect(h.api.get(PROFILES, PROFILE, 'demo')!.status).toEqual({ desiredNumberLoaded: 1, currentNumberLoaded: 0 });
    await until(() => (h.api.get(PROFILES, PROFILE, 'demo')!.status as { currentNumberLoaded?: number } | undefined)?.currentNumberLoaded === 1);
    const statusWrites = h.api.requests.slice(mark).filter((line) => line.startsWith('PUT') && line.endsWith('/status'));
    expect([...statusWrites].sort()).toEqual([
      'PUT /apis/crd.varmor.org/v1beta1/namespaces/demo/armorprofiles/varmor-demo-web/status',
      'PUT /apis/crd.varmor.org/v1beta1/namespaces/demo/armorprofiles/varmor-demo-web/status',
      'PUT /apis/crd.varmor.org/v1beta1/namespaces/demo/varmorpolicies/web/status',
    ]);
    expect(h.controller.stats.retries - retries).toBe(1);
  });

  it('recovers from conflicts on every write and from dropped watches', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    h.api.conflictNext('POST', '/armorprofiles', 2);
    h.api.conflictNext('PUT', '/status', 3);
    h.api.put(POLICIES, varmorPolicy('web'));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    await until(() => phaseOf(h) === 'Pending');
    while (h.api.openWatches() < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    h.api.dropWatches();
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }]);
    await until(() => phaseOf(h) === 'Protecting');
    // The two creates conflict in two reconciles; the three status writes in two at least (a reconcile writes the
    // ArmorProfile's status and the policy's side by side, and is tried again once when either conflicts).
    expect(h.controller.stats.retries).toBeGreaterThanOrEqual(4);
  });

  it('after 410 Gone the informers list again and act on what changed meanwhile', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    while (h.api.openWatches() < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    h.api.dropWatches();
    h.api.put(POLICIES, varmorPolicy('web'));
    h.api.compact();
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    await until(() => phaseOf(h) === 'Pending');
  });

  it('a resync with nothing changed writes nothing', async () => {
    const h = await started(() => {}, { resync: 50 });
    reportNode(h.api, 'node-1', []);
    h.api.put(POLICIES, varmorPolicy('web'));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }]);
    await until(() => phaseOf(h) === 'Protecting');
    await h.controller.idle();
    const writes = h.api.count((line) => !line.startsWith('GET'));
    const reconciles = h.controller.stats.reconciles;
    await until(() => h.controller.stats.reconciles >= reconciles + 3);
    await h.controller.idle();
    expect(h.api.count((line) => !line.startsWith('GET'))).toBe(writes);
  });
});

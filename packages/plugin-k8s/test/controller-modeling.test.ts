// BehaviorModeling in a cluster, the controller's side: nodes' parts (written with the agents' own writer) → the
// ArmorProfileModel, phase Modeling → Completed, then DefenseInDepth compiled from the stored model.
import { afterEach, describe, expect, it } from 'vitest';
import { type DynamicResult, mergeDynamicResults } from '@armorkit/core/model';
import { ModelPartWriter } from '../src/model/part-writer.js';
import { MODELING_STARTED_ANNOTATION } from '../src/model/session.js';
import { ApiDouble } from './support/api-double.js';
import { type Harness, POLICIES, PROFILES, reportNode, startHarness, until, varmorPolicy } from './support/controller-harness.js';

const MODELS = '/apis/crd.varmor.org/v1beta1/armorprofilemodels';
const PARTS = '/apis/armorkit.dev/v1alpha1/armormodelparts';
const PROFILE = 'varmor-demo-web';
const START = Date.parse('2026-12-01T10:00:00Z');

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Model {
  metadata: { annotations?: Record<string, string> };
  storageType?: string;
  data?: { dynamicResult?: DynamicResult; profile?: { name: string; appArmor?: string; seccomp?: string; mode: string } };
  status?: { desiredNumber?: number; completedNumber?: number; ready?: boolean; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const NODE_A: DynamicResult = {
  appArmor: {
    profiles: [PROFILE],
    executions: ['/usr/bin/python3'],
    files: [{ path: '/srv/www/index.html', owner: true, permissions: ['r'] }, { path: '/etc/hosts', owner: false, permissions: ['r'] }],
    networks: { sockets: [{ domain: 'inet', type: 'stream', protocol: 'tcp' }] },
  },
  seccomp: { syscalls: ['accept4', 'openat', 'read'] },
};
const NODE_B: DynamicResult = {
  appArmor: { profiles: [PROFILE], executions: ['/usr/bin/python3'], files: [{ path: '/srv/www/index.html', owner: false, permissions: ['r', 'w'] }], capabilities: ['net_bind_service'] },
  seccomp: { syscalls: ['read', 'write'] },
};

function modelingPolicy(duration = 5) {
  return varmorPolicy('web', { enforcer: 'AppArmorSeccomp', mode: 'BehaviorModeling', modelingOptions: { duration } });
}

async function start(clock: { now: number }, overrides: Parameters<typeof startHarness>[0] = {}, api?: ApiDouble): Promise<Harness> {
  const harness = await startHarness({ clock: () => new Date(clock.now), modelingGrace: 60_000, ...overrides }, api);
  cleanup.push(async () => {
    await harness.controller.stop();
    await harness.api.close();
  });
  return harness;
}

/** A node's agent writing its part, as the agent's modeller does (same writer). */
async function writePart(h: Harness, writer: ModelPartWriter, node: string, dynamicResult: DynamicResult, final: boolean, revision: number, previousCount = 0) {
  const profile = h.api.get(PROFILES, PROFILE, 'demo')!;
  const written = await writer.write({
    namespace: 'demo',
    profileName: PROFILE,
    nodeName: node,
    session: profile.metadata.annotations![MODELING_STARTED_ANNOTATION]!,
    revision,
    final,
    dynamicResult,
    owner: { apiVersion: 'crd.varmor.org/v1beta1', kind: 'ArmorProfile', name: PROFILE, uid: profile.metadata.uid! },
    previousCount,
  });
  if (!written.ok) throw new Error(written.problem);
  return written.count;
}

describe('BehaviorModeling in a cluster: the controller merges the nodes\' parts into the ArmorProfileModel', () => {
  it('Modeling until the duration is over and every node sent its final part; then Completed, the model merged and its profiles built; DefenseInDepth compiles from it', async () => {
    const clock = { now: START };
    const h = await start(clock);
    const writer = new ModelPartWriter(h.api.kubeConfig());
    h.api.put(POLICIES, modelingPolicy(5));
    const profile = await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    // The run is stamped on the ArmorProfile: the agents and the controller count from it.
    expect(profile.metadata.annotations?.[MODELING_STARTED_ANNOTATION]).toBe('2026-12-01T10:00:00Z');
    expect(profile.spec).toMatchObject({ behaviorModeling: { enable: true, duration: 5 } });
    expect(h.profileOf(PROFILE).mode).toBe('complain');
    const applied = [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }];
    reportNode(h.api, 'node-a', applied, new Date(clock.now));
    reportNode(h.api, 'node-b', applied, new Date(clock.now));
    await until(() => h.statusOf('web').phase === 'Modeling');
    const model = () => h.api.get(MODELS, PROFILE, 'demo') as unknown as Model | undefined;
    await until(() => model()?.status?.desiredNumber === 2);
    expect(model()).toMatchObject({ storageType: 'CRDInternal', status: { desiredNumber: 2, completedNumber: 0, ready: false } });

    // node-a writes what it has so far; node-b its final part early (its run ended, say, after a restart).
    await writePart(h, writer, 'node-a', { seccomp: { syscalls: ['read'] } }, false, 1);
    await writePart(h, writer, 'node-b', NODE_B, true, 1);
    await until(() => model()?.status?.completedNumber === 1);
    expect(model()?.data?.dynamicResult).toEqual(mergeDynamicResults({ seccomp: { syscalls: ['read'] } }, NODE_B));
    expect(h.statusOf('web').phase).toBe('Modeling');

    // The duration passes; node-a's final part completes the run.
    clock.now = START + 5 * 60_000 + 1_000;
    reportNode(h.api, 'node-a', applied, new Date(clock.now));
    reportNode(h.api, 'node-b', applied, new Date(clock.now));
    await writePart(h, writer, 'node-a', NODE_A, true, 2, 1);
    await until(() => h.statusOf('web').phase === 'Completed');
    const done = model()!;
    expect(done.status).toMatchObject({ desiredNumber: 2, completedNumber: 2, ready: true });
    expect(done.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'ModelingCompleted' });
    // Set union, owner = old && new (node-a owned index.html, node-b did not), permissions united.
    expect(done.data?.dynamicResult).toEqual(mergeDynamicResults(NODE_A, NODE_B));
    expect(done.data?.dynamicResult?.appArmor?.files).toContainEqual({ path: '/srv/www/index.html', owner: false, permissions: ['r', 'w'] });
    // vArmor's data.profile: what DefenseInDepth will enforce.
    expect(done.data?.profile).toMatchObject({ name: PROFILE, mode: 'enforce' });
    expect(done.data?.profile?.appArmor).toContain('/usr/bin/python3 ix,');
    expect(done.data?.profile?.appArmor).toContain('/srv/www/index.html rw,');
    expect(JSON.parse(done.data!.profile!.seccomp!)).toMatchObject({ defaultAction: 'SCMP_ACT_ERRNO' });
    const status = h.statusOf('web');
    expect(status).toMatchObject({ phase: 'Completed', ready: true });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ModelingCompleted' });
    expect(status.conditions?.find((c) => c.type === 'Ready')?.message).toContain('2 of 2 nodes sent their final part');
    await until(() => h.events().some((event) => event.reason === 'ModelingCompleted'));
    // The nodes' parts are in the model now: deleted.
    await until(() => h.api.list(PARTS).length === 0);
    // vArmor's switch after the run: the AlwaysAllow profiles (complain mode would go on logging every event).
    await until(() => h.profileOf(PROFILE).mode === 'enforce');
    expect(JSON.parse(h.profileOf(PROFILE).seccomp!)).toEqual({ defaultAction: 'SCMP_ACT_ALLOW' });
    expect(h.api.get(PROFILES, PROFILE, 'demo')?.spec).toMatchObject({ behaviorModeling: { enable: true, duration: 5 } });
    reportNode(h.api, 'node-a', [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }], new Date(clock.now));
    reportNode(h.api, 'node-b', [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }], new Date(clock.now));
    await h.controller.idle();
    expect(h.statusOf('web')).toMatchObject({ phase: 'Completed', ready: true });

    // The policy switched to DefenseInDepth (vArmor's #236): compiled from the stored model.
    const policy = h.api.get(POLICIES, 'web', 'demo')!;
    h.api.put(POLICIES, { ...policy, spec: { ...(policy.spec as object), policy: { enforcer: 'AppArmorSeccomp', mode: 'DefenseInDepth', defenseInDepth: { appArmor: { profileType: 'BehaviorModel' }, seccomp: { profileType: 'BehaviorModel' } } } } });
    await until(() => h.profileOf(PROFILE).appArmor?.includes('/srv/www/index.html rw,'));
    expect(h.profileOf(PROFILE)).toMatchObject({ mode: 'enforce' });
    expect(h.profileOf(PROFILE).appArmor).toBe(done.data?.profile?.appArmor);
    expect(h.profileOf(PROFILE).seccomp).toBe(done.data?.profile?.seccomp);
    expect(h.api.get(PROFILES, PROFILE, 'demo')?.spec).not.toHaveProperty('behaviorModeling');
  });

  it('a node that never sends its final part holds the model back only until the grace after the duration', async () => {
    const clock = { now: START };
    const h = await start(clock);
    const writer = new ModelPartWriter(h.api.kubeConfig());
    h.api.put(POLICIES, modelingPolicy(1));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    const applied = [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }];
    reportNode(h.api, 'node-a', applied, new Date(clock.now));
    reportNode(h.api, 'node-b', applied, new Date(clock.now));
    await until(() => h.statusOf('web').phase === 'Modeling');
    clock.now = START + 60_000 + 1;
    await writePart(h, writer, 'node-a', NODE_A, true, 1);
    const model = () => h.api.get(MODELS, PROFILE, 'demo') as unknown as Model | undefined;
    await until(() => model()?.status?.completedNumber === 1);
    expect(model()?.status?.ready).toBe(false);
    expect(model()?.status?.conditions?.[0]?.message).toContain('1 of 2 nodes sent their final part (not yet: node-b)');
    expect(h.statusOf('web').phase).toBe('Modeling');
    // The grace (60 s) passes: node-b's heartbeat is the next event; the model completes without it.
    clock.now = START + 60_000 + 61_000;
    reportNode(h.api, 'node-b', applied, new Date(clock.now));
    reportNode(h.api, 'node-a', applied, new Date(clock.now));
    await until(() => h.statusOf('web').phase === 'Completed');
    expect(model()?.status).toMatchObject({ desiredNumber: 2, completedNumber: 1, ready: true });
    expect(model()?.data?.dynamicResult).toEqual(mergeDynamicResults(NODE_A));
  });

  it('a model too large for one object: its dynamicResult in ArmorModelPart chunks, no object over the API server\'s limit; DefenseInDepth reads it back', async () => {
    const clock = { now: START };
    const limit = 40_000;
    const api = await new ApiDouble({ maxObjectBytes: limit }).start();
    const h = await start(clock, { modelObjectBytes: 30_000, modelChunkBytes: 16_000 }, api);
    const writer = new ModelPartWriter(h.api.kubeConfig(), 16_000);
    h.api.put(POLICIES, modelingPolicy(1));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    reportNode(h.api, 'node-a', [{ namespace: 'demo', name: PROFILE, profile: h.profileOf(PROFILE) }], new Date(clock.now));
    await until(() => h.statusOf('web').phase === 'Modeling');
    const files = Array.from({ length: 600 }, (_, i) => ({ path: `/srv/www/page-${String(i).padStart(4, '0')}.html`, owner: true, permissions: ['r'] }));
    const big: DynamicResult = { appArmor: { profiles: [PROFILE], executions: ['/usr/bin/python3'], files }, seccomp: { syscalls: ['read'] } };
    clock.now = START + 60_000 + 1;
    const count = await writePart(h, writer, 'node-a', big, true, 1);
    expect(count).toBeGreaterThan(1);
    await until(() => h.statusOf('web').phase === 'Completed');
    const model = h.api.get(MODELS, PROFILE, 'demo') as unknown as Model;
    expect(model.storageType).toBe('ArmorModelPart');
    expect(model.data?.dynamicResult).toBeUndefined();
    expect(model.status).toMatchObject({ ready: true, completedNumber: 1 });
    const stored = h.api.list(PARTS).filter((part) => !('nodeName' in (part.spec as object)));
    expect(stored.length).toBeGreaterThan(1);
    for (const object of [...h.api.list(PARTS), ...h.api.list(MODELS)]) expect(Buffer.byteLength(JSON.stringify(object))).toBeLessThanOrEqual(limit);
    // The nodes' parts are gone, the controller's chunks stay.
    expect(h.api.list(PARTS).every((part) => !('nodeName' in (part.spec as object)))).toBe(true);

    const policy = h.api.get(POLICIES, 'web', 'demo')!;
    h.api.put(POLICIES, { ...policy, spec: { ...(policy.spec as object), policy: { enforcer: 'AppArmor', mode: 'DefenseInDepth', defenseInDepth: { appArmor: { profileType: 'BehaviorModel' } } } } });
    await until(() => h.profileOf(PROFILE).appArmor?.includes('/srv/www/page-0599.html r,'));
    expect(h.profileOf(PROFILE).appArmor).toContain('/srv/www/page-0000.html r,');
  });

  it('DefenseInDepth with profileType BehaviorModel and no completed model: phase Error naming the field', async () => {
    const h = await start({ now: START });
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'AppArmor', mode: 'DefenseInDepth', defenseInDepth: { appArmor: { profileType: 'BehaviorModel' } } }));
    await until(() => h.statusOf('web').phase === 'Error');
    const created = h.statusOf('web').conditions?.find((c) => c.type === 'Created');
    expect(created?.message).toContain('/spec/policy/defenseInDepth/appArmor/profileType: no behaviour model for varmor-demo-web; run BehaviorModeling first');
  });
});

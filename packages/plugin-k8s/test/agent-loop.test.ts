import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { seccomp } from '@armorkit/plugin-seccomp';
import { type NodeAgent, startNodeAgent } from '../src/agent/node-agent.js';
import { profileSetHash } from '../src/node-status/profile-set.js';
import { armorNodeStatusSchema, storedProfileDigest } from '../src/node-status/schema.js';
import { ApiDouble } from './support/api-double.js';
import { ARMOR_PROFILES, armorProfileObject, FakeProc, putArmorProfile, NODE_STATUSES, podObject, PODS } from './support/agent-fixtures.js';
import { type RecordedBpf, recordingBpf } from './support/recording-bpf.js';

const UID_WEB = '11111111-2222-4333-8444-555555555555';
const UID_DB = '66666666-7777-4888-9999-aaaaaaaaaaaa';

/** Polls until `check` holds; the test's own timeout bounds it (no timing is asserted). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp(bpfState?: RecordedBpf, directories?: { seccomp: string; apparmor: string }) {
  const api = await new ApiDouble().start();
  cleanup.push(() => api.close());
  const proc = await FakeProc.create();
  cleanup.push(() => proc.close());
  const temp = directories ?? { seccomp: await mkdtemp(join(tmpdir(), 'armorkit-seccomp-')), apparmor: await mkdtemp(join(tmpdir(), 'armorkit-apparmor-')) };
  if (!directories) cleanup.push(async () => Promise.all(Object.values(temp).map((dir) => rm(dir, { recursive: true, force: true }))).then(() => {}));
  // AppArmor as on a host without it: its plugin is real and says why it cannot load here.
  await writeFile(join(temp.apparmor, 'enabled'), 'N\n');
  const recorded = recordingBpf(bpfState);
  const engine = createEngine({
    plugins: [varmorDialect(), apparmor({ paths: { enabled: join(temp.apparmor, 'enabled'), profileDirectory: temp.apparmor } }), seccomp(), recorded.plugin],
    rulePacks: [builtinRules],
  });
  const log: string[] = [];
  const start = async (options: { readiness?: boolean } = {}) => {
    const started = await startNodeAgent({
      engine,
      kubeConfig: api.kubeConfig(),
      node: 'node-1',
      seccompDirectory: temp.seccomp,
      proc: proc.root,
      ...(options.readiness ? { readiness: { host: '127.0.0.1', port: 0 } } : {}),
      rescanInterval: 20,
      retryInterval: 20,
      backoff: { initial: 5, max: 20 },
      log: (line) => (process.env.AGENT_DEBUG ? console.log(line) : log.push(line)),
    });
    if ('problem' in started) throw new Error(started.problem);
    cleanup.push(() => started.agent.stop());
    return started.agent;
  };
  return { api, proc, temp, engine, bpf: recorded.state, log, start };
}

const report = (api: ApiDouble) => armorNodeStatusSchema.parse(api.get(NODE_STATUSES, 'node-1'));
/** The set the controller's history reaches once it has seen every stored ArmorProfile (not being deleted): what the agent must report. */
const storedSet = (api: ApiDouble) =>
  profileSetHash(api.list(ARMOR_PROFILES).flatMap((object) => (object.metadata.deletionTimestamp ? [] : [[`${object.metadata.namespace ?? ''}/${object.metadata.name}`, storedProfileDigest(object)] as const])));
const settle = async (agent: NodeAgent) => {
  await new Promise((resolve) => setTimeout(resolve, 60));
  await agent.settled();
};

describe('the node agent against the API double (client-node informers)', () => {
  it('loads the profiles, applies BPF to its node\'s annotated containers only, writes seccomp files and reports', async () => {
    const { api, proc, temp, engine, bpf, start } = await setUp();
    const web = putArmorProfile(api, engine, 'web', 'shop', 'BPFSeccomp');
    const guard = putArmorProfile(api, engine, 'guard', 'shop', 'AppArmor');
    api.put(PODS, podObject({ uid: UID_WEB, name: 'web-1', namespace: 'shop', node: 'node-1', ip: '10.1.0.5', containers: [{ name: 'nginx', id: 1, bpfProfile: web.profile.name }, { name: 'log', id: 2 }] }));
    api.put(PODS, podObject({ uid: UID_DB, name: 'web-2', namespace: 'shop', node: 'node-2', containers: [{ name: 'nginx', id: 3, bpfProfile: web.profile.name }] }));
    await proc.addContainer(100, UID_WEB, 1, 4026532101);
    await proc.addContainer(101, UID_WEB, 1, 4026532101);
    await proc.addContainer(102, UID_WEB, 2, 4026532102);
    const agent = await start();
    await agent.ready;

    // seccomp: the kubelet's file, whole, 0644, the profile's JSON.
    const file = join(temp.seccomp, web.profile.name);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(JSON.parse(web.profile.seccomp!));
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await readdir(temp.seccomp)).toEqual([web.profile.name]);
    // BPF: the one annotated container of the pod on this node, with the pod's address.
    expect(bpf.calls).toEqual([`load ${web.profile.name} 4026532101 10.1.0.5`]);
    // Only this node's pods are listed and watched.
    const podRequests = api.requests.filter((line) => line.includes('/api/v1/pods'));
    expect(podRequests.length).toBeGreaterThan(0);
    expect(podRequests.every((line) => line.includes('fieldSelector=spec.nodeName%3Dnode-1'))).toBe(true);

    const status = report(api).status!;
    expect(status.enforcers).toEqual(['BPF', 'Seccomp']);
    expect(status.unavailable?.AppArmor).toMatch(/AppArmor is not enabled on this host/);
    // Both profiles processed (the set the controller computes from the same objects), the AppArmor one failed.
    expect(status.appliedSet).toBe(storedSet(api));
    expect(status.profileCount).toBe(2);
    expect(status.failed.map((p) => [p.namespace, p.name])).toEqual([['shop', guard.profile.name]]);
    expect(status.failed[0]?.message).toMatch(/^AppArmor: AppArmor is not enabled/);
    expect(agent.isReady()).toBe(true);
  });

  it('follows a restarted container, and removes the profile when the pod goes and when the ArmorProfile is deleted', async () => {
    const { api, proc, temp, engine, bpf, start } = await setUp();
    const web = putArmorProfile(api, engine, 'web', 'shop', 'BPFSeccomp');
    const pod = (id: number) => podObject({ uid: UID_WEB, name: 'web-1', namespace: 'shop', node: 'node-1', containers: [{ name: 'nginx', id, bpfProfile: web.profile.name }] });
    api.put(PODS, pod(1));
    await proc.addContainer(100, UID_WEB, 1, 4026532101);
    const agent = await start();
    await agent.ready;
    const writesBefore = agent.reportRequests();
    expect(agent.applied().BPF).toEqual([{ mountNamespace: 4026532101, profileName: web.profile.name }]);

    // The container restarts: a new id, a new mount namespace; the old process is gone.
    await proc.remove(100);
    await proc.addContainer(200, UID_WEB, 7, 4026532107);
    api.put(PODS, pod(7));
    await until(() => agent.applied().BPF.some((entry) => entry.mountNamespace === 4026532107));
    await settle(agent);
    expect(agent.applied().BPF).toEqual([{ mountNamespace: 4026532107, profileName: web.profile.name }]);
    // (a rescan may see the old process gone before the pod's status changes: either order)
    expect(bpf.calls.slice(1).sort()).toEqual([`load ${web.profile.name} 4026532107 `, `unload ${web.profile.name} 4026532101`]);
    // Nothing the controller reads changed: no report written.
    expect(agent.reportRequests()).toBe(writesBefore);

    api.delete(PODS, 'web-1', 'shop');
    await until(() => agent.applied().BPF.length === 0);

    api.delete(ARMOR_PROFILES, web.profile.name, 'shop');
    await until(async () => (await readdir(temp.seccomp)).length === 0);
    await until(() => report(api).status?.profileCount === 0);
    expect(report(api).status?.appliedSet).toBe(storedSet(api));
    // One JSON patch of the status subresource for the change.
    expect(agent.reportRequests()).toBe(writesBefore + 1);
    expect(api.count((line) => line.startsWith('PATCH /apis/armorkit.dev/v1alpha1/armornodestatuses/node-1/status'))).toBe(2);
  });

  it('after a restart, re-reads what is loaded: keeps what is wanted, removes leftovers', async () => {
    const bpfState: RecordedBpf = { applied: new Map([[4026532101, 'varmor-shop-web'], [4026532199, 'varmor-shop-gone']]), calls: [] };
    const { api, proc, temp, engine, bpf, start } = await setUp(bpfState);
    const web = putArmorProfile(api, engine, 'web', 'shop', 'BPFSeccomp');
    api.put(PODS, podObject({ uid: UID_WEB, name: 'web-1', namespace: 'shop', node: 'node-1', containers: [{ name: 'nginx', id: 1, bpfProfile: web.profile.name }] }));
    await proc.addContainer(100, UID_WEB, 1, 4026532101);
    await writeFile(join(temp.seccomp, 'varmor-shop-gone'), '{"defaultAction":"SCMP_ACT_ERRNO"}\n');
    await writeFile(join(temp.seccomp, 'someone-elses'), '{"defaultAction":"SCMP_ACT_ALLOW"}\n');
    const agent = await start();
    await agent.ready;
    expect((await readdir(temp.seccomp)).sort()).toEqual(['someone-elses', web.profile.name]);
    expect([...bpf.applied]).toEqual([[4026532101, web.profile.name]]);
    expect(bpf.calls).toContain(`unload varmor-shop-gone 4026532199`);
  });

  it('with the API unavailable, keeps what is loaded and is not ready; ready once the lists come back', async () => {
    const { api, temp, start } = await setUp();
    await writeFile(join(temp.seccomp, 'varmor-shop-kept'), '{"defaultAction":"SCMP_ACT_ERRNO"}\n');
    api.inject({ method: 'GET', path: '/armorprofiles', watch: false, code: 503, reason: 'ServiceUnavailable', times: 5 });
    const agent = await start({ readiness: true });
    const url = `http://127.0.0.1:${agent.readinessAddress!.port}/health/readiness`;
    const first = await fetch(url);
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ ready: false, profilesListed: false });
    expect(await readdir(temp.seccomp)).toEqual(['varmor-shop-kept']);
    await agent.ready;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url.replace('readiness', 'other'))).status).toBe(404);
    // Listed at last, with no ArmorProfile: the leftover goes.
    expect(await readdir(temp.seccomp)).toEqual([]);
  });

  it('reports an ArmorProfile it cannot read as failed, naming the field, and goes on with the others', async () => {
    const { api, engine, start } = await setUp();
    const web = putArmorProfile(api, engine, 'web', 'shop', 'Seccomp');
    const broken = armorProfileObject(engine, 'broken', 'shop', 'Seccomp');
    api.put(ARMOR_PROFILES, { ...broken.object, spec: { ...broken.object.spec, profile: { ...broken.profile, seccomp: '{"defaultAction": "SCMP_ACT_NOPE"}' } } });
    const agent = await start();
    await agent.ready;
    const status = report(api).status!;
    expect(status.appliedSet).toBe(storedSet(api));
    expect(status.profileCount).toBe(2);
    expect(status.failed.map((p) => p.name)).toEqual([broken.profile.name]);
    expect(agent.applied().Seccomp).toContain(web.profile.name);
    expect(status.failed[0]?.message).toMatch(/^Seccomp: varmor-shop-broken: not an OCI seccomp profile: \/defaultAction/);
    expect(status.failed[0]?.digest).toBe(storedProfileDigest(api.get(ARMOR_PROFILES, broken.profile.name, 'shop')));
  });
});

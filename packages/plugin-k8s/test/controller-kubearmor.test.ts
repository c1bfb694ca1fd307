// The controller with `kubearmor`: KubeArmorPolicy, KubeArmorClusterPolicy and KubeArmorHostPolicy become
// ArmorProfiles (or, for host policies, a clear refusal), their `status.status` and Events say how it went, and the
// watch survives KubeArmor's CRDs not being installed.
import { afterEach, describe, expect, it } from 'vitest';
import { PROFILE_FINALIZER } from '../src/controller/names.js';
import { readPolicyStatus } from '../src/status/read-status.js';
import { ApiDouble, type KubeObject, KUBEARMOR_RESOURCES } from './support/api-double.js';
import {
  type Harness,
  KUBEARMOR_CLUSTER_POLICIES,
  KUBEARMOR_HOST_POLICIES,
  KUBEARMOR_POLICIES,
  PROFILES,
  reportNode,
  startHarness,
  until,
} from './support/controller-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.controller.stop();
  await harness?.api.close();
  harness = undefined;
});

/** The API double with KubeArmor's CRDs installed (or not), the controller watching them. */
async function started(options: { installed?: boolean; kubearmor?: boolean } = {}): Promise<Harness> {
  const api = await new ApiDouble().start();
  if (options.installed !== false) for (const definition of KUBEARMOR_RESOURCES) api.define(definition);
  harness = await startHarness({ kubearmor: options.kubearmor !== false }, api);
  return harness;
}

const RULES = { process: { matchPaths: [{ path: '/bin/sh' }] }, action: 'Block' };

function ksp(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'security.kubearmor.com/v1',
    kind: 'KubeArmorPolicy',
    metadata: { name, namespace: 'demo', labels: { team: 'web' } },
    spec: { selector: { matchLabels: { app: 'web', 'kubearmor.io/container.name': '[web]' } }, ...RULES, ...spec },
  };
}
const csp = (name: string): KubeObject => ({
  apiVersion: 'security.kubearmor.com/v1',
  kind: 'KubeArmorClusterPolicy',
  metadata: { name },
  spec: { selector: { matchExpressions: [{ key: 'namespace', operator: 'In', values: ['demo'] }] }, ...RULES },
});
const hsp = (name: string): KubeObject => ({
  apiVersion: 'security.kubearmor.com/v1',
  kind: 'KubeArmorHostPolicy',
  metadata: { name },
  spec: { nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'node-1' } }, ...RULES },
});

const statusText = (h: Harness, collection: string, name: string, namespace?: string) => (h.api.get(collection, name, namespace)?.status as { status?: string } | undefined)?.status;
const eventsOf = (h: Harness, kind: string) => h.events().filter((event) => event.involvedObject.kind === kind);

describe('controller: KubeArmor policies → ArmorProfiles', () => {
  it('a KubeArmorPolicy: an ArmorProfile in its namespace, owned by it, for the containers it names; status.status Pending, then OK', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    h.api.put(KUBEARMOR_POLICIES, ksp('block-sh'));
    const name = 'kubearmor-demo-block-sh';
    await until(() => h.api.get(PROFILES, name, 'demo'));
    await h.controller.idle();
    const stored = h.api.get(PROFILES, name, 'demo')!;
    const policy = h.api.get(KUBEARMOR_POLICIES, 'block-sh', 'demo')!;
    expect(stored.metadata.ownerReferences).toEqual([
      { apiVersion: 'security.kubearmor.com/v1', kind: 'KubeArmorPolicy', name: 'block-sh', uid: policy.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(stored.metadata.finalizers).toEqual([PROFILE_FINALIZER]);
    expect(stored.spec).toMatchObject({ target: { kind: 'Pod', selector: { matchLabels: { app: 'web' } }, containers: ['web'] } });
    const profile = h.profileOf(name);
    expect(profile.appArmor).toContain(`profile ${name}`);
    expect(profile.appArmor).toMatch(/deny \/bin\/sh/);
    expect(statusText(h, KUBEARMOR_POLICIES, 'block-sh', 'demo')).toBe('Pending: loaded on 0 of 1 nodes');
    // KubeArmor's status holds one string: nothing of vArmor's shape is written into it.
    expect(policy.status).toEqual({ status: 'Pending: loaded on 0 of 1 nodes' });

    reportNode(h.api, 'node-1', [{ namespace: 'demo', name, profile }]);
    await until(() => statusText(h, KUBEARMOR_POLICIES, 'block-sh', 'demo') === 'OK');
    await until(() => eventsOf(h, 'KubeArmorPolicy').length >= 2);
    expect(eventsOf(h, 'KubeArmorPolicy').map((event) => event.reason)).toEqual(expect.arrayContaining(['Created', 'Ready']));
    expect(h.api.get(PROFILES, name, 'demo')!.status).toEqual({ desiredNumberLoaded: 1, currentNumberLoaded: 1 });
  });

  it('armorkit k8s status reads KubeArmor\'s kinds: status.status as phase and message, the nodes of their ArmorProfiles', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    h.api.put(KUBEARMOR_POLICIES, ksp('block-sh'));
    h.api.put(KUBEARMOR_HOST_POLICIES, hsp('node-shell'));
    const name = 'kubearmor-demo-block-sh';
    await until(() => statusText(h, KUBEARMOR_POLICIES, 'block-sh', 'demo') === 'Pending: loaded on 0 of 1 nodes' && statusText(h, KUBEARMOR_HOST_POLICIES, 'node-shell'));
    const read = async (query: { namespace?: string } = {}) => {
      const result = await readPolicyStatus({ kubeConfig: h.api.kubeConfig(), ...query });
      if ('problem' in result) throw new Error(result.problem);
      return result.reports;
    };
    const pending = await read();
    // vArmor's kinds first, then KubeArmor's, cluster-scoped ones first.
    expect(pending.map((report) => [report.kind, report.namespace, report.name, report.phase, report.ready, report.profile])).toEqual([
      ['KubeArmorHostPolicy', undefined, 'node-shell', 'Error', false, undefined],
      ['KubeArmorPolicy', 'demo', 'block-sh', 'Pending', false, `demo/${name}`],
    ]);
    expect(pending[0]!.message).toMatch(/^KubeArmorHostPolicy is not enforced in a cluster/);
    expect(pending[1]).toMatchObject({ message: 'loaded on 0 of 1 nodes', nodes: [{ node: 'node-1', state: 'waiting' }] });

    reportNode(h.api, 'node-1', [{ namespace: 'demo', name, profile: h.profileOf(name) }]);
    await until(() => statusText(h, KUBEARMOR_POLICIES, 'block-sh', 'demo') === 'OK');
    // -n: the namespace's policies only.
    expect(await read({ namespace: 'demo' })).toEqual([
      { kind: 'KubeArmorPolicy', namespace: 'demo', name: 'block-sh', phase: 'OK', ready: true, message: '', profile: `demo/${name}`, desired: 1, current: 1, nodes: [{ node: 'node-1', state: 'loaded', message: 'Ready' }] },
    ]);
  });

  it('a KubeArmorClusterPolicy: its ArmorProfile lives in armorkit\'s namespace', async () => {
    const h = await started();
    reportNode(h.api, 'node-1', []);
    h.api.put(KUBEARMOR_CLUSTER_POLICIES, csp('no-shell'));
    const stored = await until(() => h.api.get(PROFILES, 'kubearmor-cluster-no-shell', 'armorkit'));
    expect(stored.metadata.ownerReferences?.[0]).toMatchObject({ apiVersion: 'security.kubearmor.com/v1', kind: 'KubeArmorClusterPolicy', name: 'no-shell' });
    await until(() => statusText(h, KUBEARMOR_CLUSTER_POLICIES, 'no-shell') === 'Pending: loaded on 0 of 1 nodes');
  });

  it('a KubeArmorHostPolicy: no ArmorProfile, and the status and a Warning Event say why', async () => {
    const h = await started();
    h.api.put(KUBEARMOR_HOST_POLICIES, hsp('node-shell'));
    await until(() => statusText(h, KUBEARMOR_HOST_POLICIES, 'node-shell'));
    await h.controller.idle();
    expect(statusText(h, KUBEARMOR_HOST_POLICIES, 'node-shell')).toMatch(/^Error: KubeArmorHostPolicy is not enforced in a cluster: the armorkit agent confines containers/);
    expect(h.api.list(PROFILES)).toEqual([]);
    const [event] = await until(() => (eventsOf(h, 'KubeArmorHostPolicy').length > 0 ? eventsOf(h, 'KubeArmorHostPolicy') : undefined));
    expect(event).toMatchObject({ type: 'Warning', reason: 'NotSupported' });
    expect(event!.message).toContain('not enforced in a cluster');
  });

  it('a policy the dialect refuses: no ArmorProfile, status.status names the field, a Forbidden Event', async () => {
    const h = await started();
    h.api.put(KUBEARMOR_POLICIES, ksp('bad', { action: 'block' }));
    await until(() => statusText(h, KUBEARMOR_POLICIES, 'bad', 'demo'));
    expect(statusText(h, KUBEARMOR_POLICIES, 'bad', 'demo')).toMatch(/^Error: \/spec\/action: /);
    expect(h.api.list(PROFILES)).toEqual([]);
    const [event] = await until(() => (eventsOf(h, 'KubeArmorPolicy').length > 0 ? eventsOf(h, 'KubeArmorPolicy') : undefined));
    expect(event).toMatchObject({ type: 'Warning', reason: 'Forbidden' });
  });

  it('deleting the KubeArmorPolicy collects its ArmorProfile once no node holds it (the finalizer as for vArmor policies)', async () => {
    const h = await started();
    h.api.put(KUBEARMOR_POLICIES, ksp('block-sh'));
    const name = 'kubearmor-demo-block-sh';
    await until(() => h.api.get(PROFILES, name, 'demo'));
    const profile = h.profileOf(name);
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name, profile }]);
    await until(() => statusText(h, KUBEARMOR_POLICIES, 'block-sh', 'demo') === 'OK');
    h.api.delete(KUBEARMOR_POLICIES, 'block-sh', 'demo');
    await until(() => h.api.get(PROFILES, name, 'demo')?.metadata.deletionTimestamp);
    // Held while node-1 has it loaded.
    await h.controller.idle();
    expect(h.api.get(PROFILES, name, 'demo')?.metadata.finalizers).toEqual([PROFILE_FINALIZER]);
    reportNode(h.api, 'node-1', []);
    await until(() => h.api.get(PROFILES, name, 'demo') === undefined);
  });
});

describe('controller: KubeArmor\'s CRDs', () => {
  it('not installed: ready all the same, said once in the log, and picked up when they are installed', async () => {
    const h = await started({ installed: false });
    const lists = (plural: string) => h.api.count((line) => line.startsWith(`GET /apis/security.kubearmor.com/v1/${plural}`));
    // Listed again with backoff, logged once.
    await until(() => lists('kubearmorpolicies') >= 3);
    expect(h.log.filter((line) => line.includes('/kubearmorpolicies: not served (404'))).toHaveLength(1);
    expect(h.log.filter((line) => line.includes('/kubearmorhostpolicies: not served (404'))).toHaveLength(1);

    for (const definition of KUBEARMOR_RESOURCES) h.api.define(definition);
    h.api.put(KUBEARMOR_POLICIES, ksp('block-sh'));
    await until(() => h.api.get(PROFILES, 'kubearmor-demo-block-sh', 'demo'));
    expect(h.log.some((line) => line.includes('/kubearmorpolicies: served now'))).toBe(true);
  });

  it('without `kubearmor`: KubeArmor\'s kinds are not watched at all', async () => {
    const h = await started({ kubearmor: false });
    h.api.put(KUBEARMOR_POLICIES, ksp('block-sh'));
    await h.controller.idle();
    expect(h.api.count((line) => line.includes('security.kubearmor.com'))).toBe(0);
    expect(h.api.list(PROFILES)).toEqual([]);
  });
});

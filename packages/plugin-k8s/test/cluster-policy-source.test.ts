import { afterEach, describe, expect, it } from 'vitest';
import type { AdmissionRequest } from '../src/admission/review.js';
import { type ClusterPolicySource, clusterPolicySource } from '../src/cluster/policy-source.js';
import { mutatingAdmission } from '../src/mutate/admission.js';
import { ApiDouble } from './support/api-double.js';
import { applyPatch, engine, NOW } from './mutate-harness.js';

const POLICIES = '/apis/crd.varmor.org/v1beta1/varmorpolicies';
const CLUSTER_POLICIES = '/apis/crd.varmor.org/v1beta1/varmorclusterpolicies';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'testns', labels: { 'sandbox.varmor.org/enable': 'true' } },
  spec: { template: { metadata: {}, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
};

const review = (): AdmissionRequest => ({
  uid: 'c0ffee00-0000-4000-8000-000000000001',
  kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
  resource: { group: 'apps', version: 'v1', resource: 'deployments' },
  namespace: 'testns',
  operation: 'CREATE',
  userInfo: { username: 'admin' },
  object: deployment,
});

const policyObject = (name: string, enforcer = 'AppArmor', kind: 'VarmorPolicy' | 'VarmorClusterPolicy' = 'VarmorPolicy') => ({
  apiVersion: 'crd.varmor.org/v1beta1',
  kind,
  metadata: { name, ...(kind === 'VarmorPolicy' ? { namespace: 'testns' } : {}) },
  spec: {
    target: { kind: 'Deployment', name: 'web' },
    policy: { enforcer, mode: 'EnhanceProtect', enhanceProtect: { hardeningRules: ['disable-cap-privileged'] } },
  },
});

/** Polls until `check` holds; the test's own timeout bounds it (no timing is asserted). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

let api: ApiDouble | undefined;
let source: ClusterPolicySource | undefined;
afterEach(async () => {
  await source?.stop();
  await api?.close();
  source = api = undefined;
});

async function start(prepare: (double: ApiDouble) => void = () => {}) {
  api = await new ApiDouble().start();
  prepare(api);
  const log: string[] = [];
  source = clusterPolicySource({ engine, kubeConfig: api.kubeConfig(), log: (line) => log.push(line), backoff: { initial: 5, max: 40 } });
  const handler = mutatingAdmission({ engine, policies: source.policies, kubeVersion: source.kubeVersion, clock: () => NOW });
  const patched = async () => {
    const response = await handler(review());
    return response.patch ? applyPatch(deployment, JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'))) : undefined;
  };
  return { api, source, log, patched };
}

const profileOf = (mutated: unknown) =>
  (mutated as typeof deployment & { spec: { template: { spec: { containers: { securityContext?: { appArmorProfile?: { localhostProfile?: string } } }[] } } } } | undefined)?.spec.template.spec.containers[0]
    ?.securityContext?.appArmorProfile?.localhostProfile;

describe('clusterPolicySource: VarmorPolicies and VarmorClusterPolicies watched through client-node', () => {
  it('is ready after the first list, with the policies listed', async () => {
    const { source, patched } = await start((double) => double.put(POLICIES, policyObject('listed')));
    expect(source.isReady()).toBe(false);
    await source.ready;
    expect(source.isReady()).toBe(true);
    expect(profileOf(await patched())).toBe('varmor-testns-listed');
  });

  it('patches a matching Deployment once a policy is created, and no longer once it is deleted', async () => {
    const { api, source, patched } = await start();
    await source.ready;
    expect(await patched()).toBeUndefined();
    await until(() => api.openWatches() === 2);
    api.put(POLICIES, policyObject('web'));
    await until(() => source.policies().length === 1);
    expect(profileOf(await patched())).toBe('varmor-testns-web');
    api.delete(POLICIES, 'web', 'testns');
    await until(() => source.policies().length === 0);
    expect(await patched()).toBeUndefined();
  });

  it('holds cluster policies too, before the namespace policies', async () => {
    const { api, source } = await start((double) => double.put(POLICIES, policyObject('local')));
    await source.ready;
    api.put(CLUSTER_POLICIES, policyObject('global', 'AppArmor', 'VarmorClusterPolicy'));
    await until(() => source.policies().length === 2);
    expect(source.policies().map((policy) => policy.name)).toEqual(['global', 'local']);
  });

  it('recovers from a dropped watch and sees a later change', async () => {
    const { api, source, patched } = await start();
    await source.ready;
    await until(() => api.openWatches() === 2);
    expect(api.dropWatches()).toBe(2);
    await until(() => api.openWatches() === 2);
    api.put(POLICIES, policyObject('after-drop'));
    await until(() => source.policies().length === 1);
    expect(profileOf(await patched())).toBe('varmor-testns-after-drop');
  });

  it('lists again when its resourceVersion is too old (410 Gone), missing nothing', async () => {
    const { api, source } = await start();
    await source.ready;
    await until(() => api.openWatches() === 2);
    const listsBefore = api.requests.filter((line) => line === `GET ${POLICIES}`).length;
    // While disconnected a policy is created and the history compacted: the watch from the old version gets 410.
    api.dropWatches();
    api.put(POLICIES, policyObject('while-away'));
    api.compact();
    await until(() => source.policies().length === 1);
    expect(api.requests.filter((line) => line === `GET ${POLICIES}`).length).toBe(listsBefore + 1);
  });

  it('keeps trying a list the server fails (500), and becomes ready once it answers', async () => {
    const { source, log, patched } = await start((double) => {
      double.failLists = 3;
      double.put(POLICIES, policyObject('late'));
    });
    await source.ready;
    expect(log.filter((line) => line.includes('trying again')).length).toBeGreaterThanOrEqual(1);
    expect(profileOf(await patched())).toBe('varmor-testns-late');
  });

  it('skips a policy that does not parse, logging it once per resourceVersion', async () => {
    const { api, source, log } = await start((double) => {
      double.put(POLICIES, policyObject('good'));
      double.put(POLICIES, policyObject('broken', 'NoSuchEnforcer'));
    });
    await source.ready;
    expect(source.policies().map((policy) => policy.name)).toEqual(['good']);
    const skipped = () => log.filter((line) => line.includes('VarmorPolicy/testns/broken'));
    expect(skipped()).toHaveLength(1);
    expect(skipped()[0]).toMatch(/skipped: .*NoSuchEnforcer/);
    await until(() => api.openWatches() === 2);
    api.put(POLICIES, policyObject('other'));
    await until(() => source.policies().length === 2);
    expect(skipped()).toHaveLength(1);
    api.put(POLICIES, { ...policyObject('broken', 'AlsoNoSuchEnforcer') });
    await until(() => skipped().length === 2);
    expect(source.policies().map((policy) => policy.name).sort()).toEqual(['good', 'other']);
  });

  it('reads the server version from /version once', async () => {
    const { api, source, patched } = await start((double) => double.put(POLICIES, policyObject('web')));
    await source.ready;
    await Promise.all([patched(), patched()]);
    await patched();
    expect(api.requests.filter((line) => line.startsWith('GET /version'))).toHaveLength(1);
    expect(await source.kubeVersion()).toMatchObject({ ok: true, value: { major: 1, minor: 30 } });
  });
});

// The rolling restart and the toServices / toPods resolver inside the running controller, against the API double:
// a policy with updateExistingWorkloads restarts its targets once (a conflict is retried; a resync restarts nothing),
// and a Service whose endpoints change rewrites the ArmorProfile's egress addresses.
import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { seccomp } from '@armorkit/plugin-seccomp';
import { afterEach, describe, expect, it } from 'vitest';
import { EgressAddresses } from '../../src/controller/egress/addresses.js';
import { RESTARTED_AT_ANNOTATION } from '../../src/controller/restart/select.js';
import type { KubeObject } from '../support/api-double.js';
import { type Harness, POLICIES, PROFILES, reportNode, startHarness, until, varmorPolicy } from '../support/controller-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.controller.stop();
  await harness?.api.close();
  harness = undefined;
});

const MATCH = { 'sandbox.varmor.org/enable': 'true' };
const COLLECTIONS = { Deployment: '/apis/apps/v1/deployments', StatefulSet: '/apis/apps/v1/statefulsets', DaemonSet: '/apis/apps/v1/daemonsets' } as const;
type Kind = keyof typeof COLLECTIONS;

function workload(kind: Kind, name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'demo', labels },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c1', image: 'busybox' }] } } },
  };
}
const templateOf = (object: KubeObject | undefined) => (object?.spec as { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: Record<string, unknown>[] } } }).template;
const putsTo = (h: Harness, kind: Kind, name: string) => h.api.count((line) => line === `PUT /apis/apps/v1/namespaces/demo/${COLLECTIONS[kind].split('/').at(-1)}/${name}`);

describe('updateExistingWorkloads in the controller', () => {
  it.each(['Deployment', 'StatefulSet', 'DaemonSet'] as const)('restarts the target %s once (a conflict retried), not on a resync, again when seccomp changes, and on delete', async (kind) => {
    const h = (harness = await startHarness({ resync: 30 }));
    h.api.put(COLLECTIONS[kind], workload(kind, 'web', { ...MATCH, app: 'web' }));
    h.api.put(COLLECTIONS[kind], workload(kind, 'unlabelled', { app: 'web' }));
    reportNode(h.api, 'node-1', []);
    h.api.conflictNext('PUT', `/${COLLECTIONS[kind].split('/').at(-1)}/web`, 1);
    const policy = varmorPolicy('web', {}, 'VarmorPolicy');
    policy.spec.target = { kind, selector: { matchLabels: { app: 'web' } } };
    policy.spec.updateExistingWorkloads = true;
    h.api.put(POLICIES, policy);

    await until(() => templateOf(h.api.get(COLLECTIONS[kind], 'web', 'demo')).metadata.annotations?.[RESTARTED_AT_ANNOTATION]);
    await h.controller.idle();
    const restarted = templateOf(h.api.get(COLLECTIONS[kind], 'web', 'demo'));
    expect(restarted.metadata.annotations).toMatchObject({ 'container.apparmor.security.beta.varmor.org/c1': 'localhost/varmor-demo-web' });
    expect(restarted.spec.containers[0]).toMatchObject({ securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'varmor-demo-web' } } });
    // The first PUT met the injected 409; the object was read again and the second went through.
    expect(putsTo(h, kind, 'web')).toBe(2);
    expect(JSON.stringify(h.api.get(COLLECTIONS[kind], 'unlabelled', 'demo'))).not.toContain(RESTARTED_AT_ANNOTATION);
    expect(h.events().filter((event) => event.reason === 'Restarted').map((event) => event.message)).toEqual([`rolling restart of ${kind} demo/web`]);

    // Resyncs and node reports reconcile the policy again and again: nothing more is restarted.
    const reconciles = h.controller.stats.reconciles;
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: 'varmor-demo-web', profile: h.profileOf('varmor-demo-web') }]);
    await until(() => h.statusOf('web').phase === 'Protecting');
    await until(() => h.controller.stats.reconciles >= reconciles + 6);
    await h.controller.idle();
    expect(putsTo(h, kind, 'web')).toBe(2);
    expect(h.controller.stats.writes.restart).toBe(1);

    // seccomp now too: the profile changes, the status says it needs a restart, and the targets get it.
    const stored = h.api.get(POLICIES, 'web', 'demo')!;
    h.api.put(POLICIES, { ...stored, spec: { ...(stored.spec as object), policy: { ...policy.spec.policy, enforcer: 'AppArmorSeccomp' } } });
    await until(() => h.statusOf('web').conditions?.find((condition) => condition.type === 'Updated'));
    expect(h.statusOf('web').conditions?.find((condition) => condition.type === 'Updated')?.message).toMatch(
      /^ArmorProfile demo\/varmor-demo-web updated; the seccomp profile changed, which needs a restart: the target Deployments, StatefulSets and DaemonSets are restarted/,
    );
    await until(() => templateOf(h.api.get(COLLECTIONS[kind], 'web', 'demo')).metadata.annotations?.['container.seccomp.security.beta.varmor.org/c1']);
    expect(putsTo(h, kind, 'web')).toBe(3);

    // Deleted: the profiles come out of the pod template, and the pods roll once more.
    h.api.delete(POLICIES, 'web', 'demo');
    await until(() => !JSON.stringify(templateOf(h.api.get(COLLECTIONS[kind], 'web', 'demo'))).includes('varmor-demo-web'));
    await h.controller.idle();
    expect(putsTo(h, kind, 'web')).toBe(4);
  });

  it('without updateExistingWorkloads, nothing is restarted and a seccomp change says that it needs one', async () => {
    const h = (harness = await startHarness());
    h.api.put(COLLECTIONS.Deployment, workload('Deployment', 'web', { ...MATCH, app: 'web' }));
    h.api.put(POLICIES, varmorPolicy('web'));
    await until(() => h.api.get(PROFILES, 'varmor-demo-web', 'demo'));
    const stored = h.api.get(POLICIES, 'web', 'demo')!;
    h.api.put(POLICIES, { ...stored, spec: { ...(stored.spec as object), policy: { ...(stored.spec as { policy: object }).policy, enforcer: 'AppArmorSeccomp' } } });
    await until(() => h.statusOf('web').conditions?.find((condition) => condition.type === 'Updated'));
    await h.controller.idle();
    expect(h.statusOf('web').conditions?.find((condition) => condition.type === 'Updated')?.message).toContain(
      'the seccomp profile changed, which needs a restart: running containers keep the filter they started with until they restart (set spec.updateExistingWorkloads',
    );
    expect(putsTo(h, 'Deployment', 'web')).toBe(0);
  });
});

describe('toServices / toPods in the controller', () => {
  const SERVICES = '/api/v1/services';
  const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';
  const slice = (addresses: string[]) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'db-abc', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
    ports: [{ port: 5432, protocol: 'TCP' }],
  });
  const egressIps = (h: Harness) => {
    const networks = h.profileOf('varmor-demo-web').bpf?.networks ?? [];
    return networks.flatMap((network) => (network.address?.ip ? [network.address.ip] : [])).sort();
  };

  it("renders the Service's addresses into the ArmorProfile and rewrites it when its endpoints change", async () => {
    const addresses = new EgressAddresses();
    const engine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf({ resolver: addresses.resolver, diskDevices: [] })], rulePacks: [builtinRules] });
    const h = (harness = await startHarness({ engine, egress: { addresses }, resync: 60_000 }));
    h.api.put(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'demo', labels: {} }, spec: { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] } });
    h.api.put(SLICES, slice(['10.244.1.5']));
    h.api.put(
      POLICIES,
      varmorPolicy('web', { enforcer: 'BPF', enhanceProtect: { bpfRawRules: { network: { egress: { toServices: [{ qualifiers: ['deny'], namespace: 'demo', name: 'db' }] } } } } }),
    );
    await until(() => h.api.get(PROFILES, 'varmor-demo-web', 'demo') && egressIps(h).length === 2);
    expect(egressIps(h)).toEqual(['10.244.1.5', '10.96.0.20']);
    const generation = h.api.get(POLICIES, 'web', 'demo')!.metadata.generation;

    h.api.put(SLICES, slice(['10.244.1.5', '10.244.2.6']));
    await until(() => egressIps(h).length === 3);
    expect(egressIps(h)).toEqual(['10.244.1.5', '10.244.2.6', '10.96.0.20']);
    // The policy itself did not change: the addresses did.
    expect(h.api.get(POLICIES, 'web', 'demo')!.metadata.generation).toBe(generation);

    // The Service goes (its slices with it, by the garbage collector): no address is left to deny.
    h.api.delete(SERVICES, 'db', 'demo');
    h.api.delete(SLICES, 'db-abc', 'demo');
    await until(() => egressIps(h).length === 0);
    await h.controller.idle();
    expect(h.statusOf('web').conditions?.find((condition) => condition.type === 'Updated')).toMatchObject({ status: 'True' });
  });
});

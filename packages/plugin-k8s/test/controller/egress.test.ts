// toServices / toPods: the pure resolution (table tests), the per-policy record of what changed, a real BPF compile
// with the resolver, and the informers against the API double (real list + watch through client-node).
import { createEngine, varmorDialect } from '@armorkit/core';
import { bpf, type BpfEgressResolver } from '@armorkit/plugin-bpf';
import { afterEach, describe, expect, it } from 'vitest';
import { EgressAddresses } from '../../src/controller/egress/addresses.js';
import { endpointSliceView, podAddressView, resolvePods, resolveServices, serviceView, type EgressSnapshot } from '../../src/controller/egress/resolve.js';
import { watchEgress } from '../../src/controller/egress/watch-egress.js';
import { policiesFromTexts } from '../../src/mutate/policy-source.js';
import { ApiDouble } from '../support/api-double.js';

const service = (namespace: string, name: string, labels: Record<string, string>, clusterIPs: string[] | undefined, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, labels },
  spec: { ...(clusterIPs ? { clusterIPs, clusterIP: clusterIPs[0] } : {}), ...extra },
});
const slice = (namespace: string, name: string, labels: Record<string, string>, addresses: string[][], ports: (number | null)[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace, labels },
  addressType: 'IPv4',
  endpoints: addresses.map((list) => ({ addresses: list, conditions: { ready: true } })),
  ports: ports.map((port) => (port === null ? { name: 'all' } : { port, protocol: 'TCP' })),
});
const pod = (namespace: string, name: string, labels: Record<string, string>, ips: string[], phase = 'Running') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'c', image: 'x' }] },
  status: { phase, ...(ips[0] ? { podIP: ips[0] } : {}), podIPs: ips.map((ip) => ({ ip })) },
});

const OBJECTS = {
  services: [
    service('demo', 'web', { app: 'web', tier: 'front' }, ['10.96.0.10', 'fd00::10']),
    service('demo', 'headless', { app: 'db' }, ['None']),
    service('other', 'web', { app: 'web' }, ['10.96.1.10']),
    service('demo', 'external', { app: 'ext' }, undefined, { type: 'ExternalName', externalName: 'example.com' }),
  ],
  slices: [
    slice('demo', 'web-abc', { 'kubernetes.io/service-name': 'web', app: 'web', tier: 'front' }, [['10.244.1.7'], ['10.244.2.8']], [8080, 8443]),
    slice('demo', 'web-def', { 'kubernetes.io/service-name': 'web' }, [['10.244.3.9']], [8080]),
    slice('demo', 'headless-1', { 'kubernetes.io/service-name': 'headless', app: 'db' }, [['10.244.4.4']], [null]),
    slice('other', 'web-xyz', { 'kubernetes.io/service-name': 'web', app: 'web' }, [['10.244.9.9']], [80]),
  ],
  pods: [
    pod('demo', 'db-0', { app: 'db' }, ['10.244.4.4', 'fd00::4']),
    pod('demo', 'db-1', { app: 'db', role: 'replica' }, ['10.244.4.5']),
    pod('demo', 'db-done', { app: 'db' }, ['10.244.4.6'], 'Succeeded'),
    pod('other', 'db-0', { app: 'db' }, ['10.244.8.8']),
    pod('demo', 'pending', { app: 'db' }, [], 'Pending'),
  ],
};

const snapshotOf = (objects: typeof OBJECTS): EgressSnapshot => ({
  services: objects.services.map(serviceView).filter((view) => view !== undefined),
  endpointSlices: objects.slices.map(endpointSliceView).filter((view) => view !== undefined),
  pods: objects.pods.map(podAddressView).filter((view) => view !== undefined),
});
const SNAPSHOT = snapshotOf(OBJECTS);

describe('resolving toServices (pure)', () => {
  const cases: [string, Parameters<typeof resolveServices>[1], unknown][] = [
    [
      'by name: every cluster IP on every port, every endpoint of its slices on the slice ports',
      { namespace: 'demo', name: 'web' },
      { destinations: [{ ip: '10.244.1.7', ports: [{ port: 8080 }, { port: 8443 }] }, { ip: '10.244.2.8', ports: [{ port: 8080 }, { port: 8443 }] }, { ip: '10.244.3.9', ports: [{ port: 8080 }] }, { ip: '10.96.0.10' }, { ip: 'fd00::10' }] },
    ],
    ['a headless Service: no cluster IP; a slice port without a number blocks every port', { namespace: 'demo', name: 'headless' }, { destinations: [{ ip: '10.244.4.4' }] }],
    ['an ExternalName Service: no address', { namespace: 'demo', name: 'external' }, { destinations: [] }],
    ['a Service that does not exist (yet): no address', { namespace: 'demo', name: 'missing' }, { destinations: [] }],
    [
      'by selector in a namespace',
      { namespace: 'demo', serviceSelector: { matchLabels: { tier: 'front' } } },
      { destinations: [{ ip: '10.244.1.7', ports: [{ port: 8080 }, { port: 8443 }] }, { ip: '10.244.2.8', ports: [{ port: 8080 }, { port: 8443 }] }, { ip: '10.244.3.9', ports: [{ port: 8080 }] }, { ip: '10.96.0.10' }, { ip: 'fd00::10' }] },
    ],
    [
      'by selector in every namespace',
      { serviceSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } },
      {
        destinations: [
          { ip: '10.244.1.7', ports: [{ port: 8080 }, { port: 8443 }] },
          { ip: '10.244.2.8', ports: [{ port: 8080 }, { port: 8443 }] },
          { ip: '10.244.3.9', ports: [{ port: 8080 }] },
          { ip: '10.244.9.9', ports: [{ port: 80 }] },
          { ip: '10.96.0.10' },
          { ip: '10.96.1.10' },
          { ip: 'fd00::10' },
        ],
      },
    ],
    ['a name without its namespace is an error', { name: 'web' }, { error: 'service "web" is selected by name, which needs its namespace' }],
  ];
  it.each(cases)('%s', (_what, query, expected) => {
    expect(resolveServices(SNAPSHOT, query)).toEqual(expected);
  });
});

describe('resolving toPods (pure)', () => {
  const cases: [string, Parameters<typeof resolvePods>[1], string[]][] = [
    ['the running pods of the namespace, every address (v4 and v6); finished and pending pods have none', { namespace: 'demo', podSelector: { matchLabels: { app: 'db' } } }, ['10.244.4.4', '10.244.4.5', 'fd00::4']],
    ['every namespace', { podSelector: { matchLabels: { app: 'db' } } }, ['10.244.4.4', '10.244.4.5', '10.244.8.8', 'fd00::4']],
    ['an expression', { namespace: 'demo', podSelector: { matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }], matchLabels: { app: 'db' } } }, ['10.244.4.4', 'fd00::4']],
    ['nothing matches', { podSelector: { matchLabels: { app: 'none' } } }, []],
  ];
  it.each(cases)('%s', (_what, query, addresses) => {
    expect(resolvePods(SNAPSHOT, query)).toEqual({ addresses });
  });
});

const bpfPolicy = (name: string, egress: string) =>
  [
    'apiVersion: crd.varmor.org/v1beta1',
    'kind: VarmorPolicy',
    `metadata: {name: ${name}, namespace: demo}`,
    'spec:',
    '  target: {kind: Deployment, name: client}',
    '  policy:',
    '    enforcer: BPF',
    '    mode: EnhanceProtect',
    '    enhanceProtect:',
    '      bpfRawRules:',
    '        network:',
    '          egress:',
    egress,
  ].join('\n');

describe('EgressAddresses: the resolver plugin-bpf compiles with, and which policies a change concerns', () => {
  const addresses = new EgressAddresses();
  // The engine's own hook: plugin-bpf's resolver option, typed by plugin-bpf.
  const resolver: BpfEgressResolver = addresses.resolver;
  const engine = createEngine({ plugins: [varmorDialect(), bpf({ resolver, diskDevices: [] })] });
  const compileBpf = (key: string, text: string) => {
    const read = policiesFromTexts(engine, [{ name: `${key}.yaml`, text }]);
    expect(read.errors).toEqual([]);
    const plan = engine.resolve(read.policies[0]!);
    expect(plan.errors).toEqual([]);
    const compiled = addresses.track(key, () => engine.compile(plan.plan!));
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return [];
    const networks = JSON.parse(compiled.value[0]!.files[0]!.content).networks as { address: { ip: string; port?: number; ports?: number[] } }[];
    return networks.map(({ address }) => `${address.ip}${address.ports ? `:${address.ports.join(',')}` : address.port ? `:${address.port}` : ''}`);
  };

  it('compiles toServices and toPods into connect rules for the addresses, and reports only the policies whose addresses changed', () => {
    addresses.update(SNAPSHOT);
    const services = compileBpf('demo/to-web', bpfPolicy('to-web', '            toServices:\n            - {qualifiers: [deny], namespace: demo, name: web}'));
    expect(services).toEqual(['10.244.1.7:8080,8443', '10.244.2.8:8080,8443', '10.244.3.9:8080', '10.96.0.10', 'fd00::10']);
    const pods = compileBpf('demo/to-db', bpfPolicy('to-db', '            toPods:\n            - {qualifiers: [deny], namespace: demo, podSelector: {matchLabels: {app: db}}, ports: [{port: 5432}]}'));
    expect(pods).toEqual(['10.244.4.4:5432', '10.244.4.5:5432', 'fd00::4:5432']);
    compileBpf('demo/plain', bpfPolicy('plain', '            toDestinations:\n            - {qualifiers: [deny], ip: 10.0.0.1}'));
    expect(addresses.policies()).toEqual(['demo/to-db', 'demo/to-web']);

    // Nothing changed: nobody to re-render.
    expect(addresses.update(snapshotOf(structuredClone(OBJECTS)))).toEqual([]);
    // A new endpoint of web: only the toServices policy.
    const scaled = structuredClone(OBJECTS);
    scaled.slices[1]!.endpoints.push({ addresses: ['10.244.3.10'], conditions: { ready: true } });
    expect(addresses.update(snapshotOf(scaled))).toEqual(['demo/to-web']);
    // Until its profile is compiled again, a policy stays reported (its ArmorProfile holds the old addresses).
    expect(addresses.update(snapshotOf(scaled))).toEqual(['demo/to-web']);
    expect(compileBpf('demo/to-web', bpfPolicy('to-web', '            toServices:\n            - {qualifiers: [deny], namespace: demo, name: web}'))).toContain('10.244.3.10:8080');
    expect(addresses.update(snapshotOf(scaled))).toEqual([]);
    // A db pod goes: only the toPods policy; a pod of another app changes nothing.
    const shrunk = structuredClone(scaled);
    shrunk.pods.splice(1, 1);
    shrunk.pods.push(pod('demo', 'cache', { app: 'cache' }, ['10.244.7.7']));
    expect(addresses.update(snapshotOf(shrunk))).toEqual(['demo/to-db']);
    // Recompiled, the policy has the new addresses; a forgotten policy is never reported again.
    expect(compileBpf('demo/to-db', bpfPolicy('to-db', '            toPods:\n            - {qualifiers: [deny], namespace: demo, podSelector: {matchLabels: {app: db}}, ports: [{port: 5432}]}'))).toEqual(['10.244.4.4:5432', 'fd00::4:5432']);
    addresses.forget('demo/to-web');
    expect(addresses.update(SNAPSHOT)).toEqual(['demo/to-db']);
  });
});

describe('watchEgress: the informers against the API double', () => {
  let api: ApiDouble | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await api?.close();
  });

  it('lists Services, EndpointSlices and Pods, then reports the policy whose addresses a watch event changes', async () => {
    api = await new ApiDouble().start();
    for (const object of OBJECTS.services) api.put('/api/v1/services', object);
    for (const object of OBJECTS.slices) api.put('/apis/discovery.k8s.io/v1/endpointslices', object);
    for (const object of OBJECTS.pods) api.put('/api/v1/pods', object);
    const addresses = new EgressAddresses();
    const changes: string[][] = [];
    let notify: () => void = () => {};
    // What the controller does: compile the policy again (here: ask the same again), which records the new answer.
    const compile = {
      'demo/to-web': () => addresses.track('demo/to-web', () => addresses.resolver.services({ namespace: 'demo', name: 'web' })),
      'demo/to-db': () => addresses.track('demo/to-db', () => addresses.resolver.pods({ namespace: 'demo', podSelector: { matchLabels: { app: 'db' } } })),
    };
    const watch = watchEgress({
      kubeConfig: api.kubeConfig(),
      addresses,
      settleMs: 10,
      onChange: (policies) => {
        changes.push(policies);
        for (const key of policies) compile[key as keyof typeof compile]();
        notify();
      },
    });
    stop = () => watch.stop();
    await watch.ready;
    const next = () => new Promise<void>((resolve) => (notify = resolve));

    compile['demo/to-web']();
    compile['demo/to-db']();
    expect(addresses.resolver.services({ namespace: 'demo', name: 'web' })).toMatchObject({ destinations: expect.arrayContaining([{ ip: '10.96.0.10' }]) });

    const scaled = structuredClone(OBJECTS.slices[1]!);
    scaled.endpoints.push({ addresses: ['10.244.3.10'], conditions: { ready: true } });
    let changed = next();
    api.put('/apis/discovery.k8s.io/v1/endpointslices', scaled);
    await changed;
    expect(changes).toEqual([['demo/to-web']]);

    changed = next();
    api.put('/api/v1/pods', pod('demo', 'db-2', { app: 'db' }, ['10.244.4.7']));
    await changed;
    expect(changes.at(-1)).toEqual(['demo/to-db']);
    expect(addresses.resolver.pods({ namespace: 'demo', podSelector: { matchLabels: { app: 'db' } } })).toEqual({ addresses: ['10.244.4.4', '10.244.4.5', '10.244.4.7', 'fd00::4'] });

    // A dropped watch is resumed: a change after it still arrives.
    api.dropWatches();
    changed = next();
    api.delete('/api/v1/services', 'web', 'demo');
    await changed;
    expect(changes.at(-1)).toEqual(['demo/to-web']);
    // Only list and watch requests: the resolver never calls the API itself.
    expect(api.requests.every((line) => line.startsWith('GET '))).toBe(true);
  });
});

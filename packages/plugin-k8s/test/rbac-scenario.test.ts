// The chart's RBAC against what the code really calls: a full scenario with the manager pod's two processes (the
// controller under leader election, the webhook's policy watch) and a node agent, each with its own service-account
// token in the API double; every request (verb, resource, subresource, namespace, name), and the finalizers update
// that owner references with blockOwnerDeletion imply, must be allowed by the rendered roles as the RBAC authorizer
// matches them, and every grant must be used.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { networkproxy } from '@armorkit/plugin-networkproxy';
import { seccomp } from '@armorkit/plugin-seccomp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeAgent } from '../src/agent/node-agent.js';
import { clusterPolicySource } from '../src/cluster/policy-source.js';
import { EgressAddresses } from '../src/controller/egress/addresses.js';
import { startManager } from '../src/controller/manager.js';
import { NAMES, renderManifests, type Manifest } from '../src/render/manifests.js';
import { defaultValues } from '../src/render/values.js';
import { ApiDouble, type KubeObject, type RecordedCall } from './support/api-double.js';
import { FakeProc, podObject, PODS } from './support/agent-fixtures.js';
import { CLUSTER_POLICIES, POLICIES, PROFILES, QUICK_MANAGER, SECRETS, until, varmorPolicy } from './support/controller-harness.js';
import { allows, attributesOf, type BoundRules, describeAttributes, grantsOf, impliedByOwnerReferences, type PolicyRule, type RequestAttributes, usedKey } from './support/rbac-check.js';

const TLS = { caCertificate: 'CA\n', certificate: 'CERT\n', privateKey: 'KEY\n' };
const OWNERS = {
  VarmorPolicy: { apiGroup: 'crd.varmor.org', resource: 'varmorpolicies', namespaced: true },
  VarmorClusterPolicy: { apiGroup: 'crd.varmor.org', resource: 'varmorclusterpolicies', namespaced: false },
};

/** The rules each service account of the rendered chart is bound to, as the authorizer sees them. */
function boundRules(objects: Manifest[], serviceAccount: string, namespace: string): BoundRules[] {
  const roles = objects as (Manifest & { rules?: PolicyRule[]; roleRef?: { kind: string; name: string }; subjects?: { kind: string; name: string; namespace?: string }[] })[];
  const bound: BoundRules[] = [];
  for (const binding of roles.filter((object) => object.kind === 'ClusterRoleBinding' || object.kind === 'RoleBinding')) {
    if (!binding.subjects?.some((subject) => subject.kind === 'ServiceAccount' && subject.name === serviceAccount && subject.namespace === namespace)) continue;
    const role = roles.find((object) => object.kind === binding.roleRef!.kind && object.metadata.name === binding.roleRef!.name && (object.kind === 'ClusterRole' || object.metadata.namespace === binding.metadata.namespace));
    if (!role?.rules) throw new Error(`${binding.kind} ${binding.metadata.name} names no role`);
    bound.push(binding.kind === 'RoleBinding' ? { namespace: binding.metadata.namespace!, rules: role.rules } : { rules: role.rules });
  }
  return bound;
}

const debug = (line: string) => (process.env.RBAC_DEBUG ? console.log(line) : undefined);
const WORKLOADS = [
  ['deployments', 'Deployment', 'web'],
  ['statefulsets', 'StatefulSet', 'db'],
  ['daemonsets', 'DaemonSet', 'node-tools'],
] as const;
let api: ApiDouble;
const stops: (() => Promise<void>)[] = [];
let calls: RecordedCall[] = [];
beforeAll(async () => {
  api = await new ApiDouble({ gcDelay: 10 }).start();
  for (const name of ['armorkit', 'demo']) api.put('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } });
  for (const [plural, kind, name] of WORKLOADS) {
    api.put(`/apis/apps/v1/${plural}`, {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: 'demo', labels: { 'sandbox.varmor.org/enable': 'true', app: name } },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c1', image: 'busybox' }] } } },
    });
  }
  api.put('/api/v1/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'demo' }, spec: { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] } });
  api.put('/apis/discovery.k8s.io/v1/endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'db-1', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'db' } },
    endpoints: [{ addresses: ['10.244.1.5'] }],
    ports: [{ port: 5432 }],
  });
  api.put(PODS, podObject({ uid: '11111111-2222-4333-8444-555555555555', name: 'web-1', namespace: 'demo', node: 'node-1', ip: '10.244.1.9', containers: [{ name: 'c1', id: 1 }] }));

  // The manager pod: the controller (its engine's BPF plugin resolves toServices) and the webhook's policy watch.
  const addresses = new EgressAddresses();
  const managerEngine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf({ resolver: addresses.resolver, diskDevices: [] }), networkproxy()], rulePacks: [builtinRules] });
  const manager = startManager({
    engine: managerEngine,
    kubeConfig: api.kubeConfig('manager'),
    namespace: 'armorkit',
    egress: { addresses },
    ...QUICK_MANAGER,
    // A model of a few syscalls is already "too large": the manager keeps it in ArmorModelParts of its own.
    modelObjectBytes: 300,
    // The run below is restamped as over: the node that saw it only then sends no part, the grace ends it.
    modelingGrace: 50,
    log: debug,
  });
  stops.push(() => manager.stop());
  const webhookPolicies = clusterPolicySource({ engine: managerEngine, kubeConfig: api.kubeConfig('manager'), backoff: { initial: 5, max: 40 } });
  stops.push(() => webhookPolicies.stop());
  await webhookPolicies.kubeVersion();

  // A node agent (its kernel side as on a host without AppArmor, and no BPF-LSM: the API calls are what matter here).
  const proc = await FakeProc.create();
  const directory = await mkdtemp(join(tmpdir(), 'armorkit-rbac-'));
  await writeFile(join(directory, 'enabled'), 'N\n');
  stops.push(async () => {
    await proc.close();
    await rm(directory, { recursive: true, force: true });
  });
  const agentEngine = createEngine({
    plugins: [varmorDialect(), apparmor({ paths: { enabled: join(directory, 'enabled'), profileDirectory: directory } }), seccomp(), bpf({ diskDevices: [] })],
    rulePacks: [builtinRules],
  });
  const auditLog = join(directory, 'kern.log');
  await writeFile(auditLog, '');
  const started = await startNodeAgent({
    engine: agentEngine,
    kubeConfig: api.kubeConfig('agent'),
    node: 'node-1',
    seccompDirectory: directory,
    proc: proc.root,
    violationsLog: join(directory, 'violations.log'),
    auditLogs: [auditLog],
    modelWriteInterval: 20,
    rescanInterval: 50,
    retryInterval: 20,
    backoff: { initial: 5, max: 40 },
    log: debug,
  });
  if ('problem' in started) throw new Error(started.problem);
  stops.push(() => started.agent.stop());
  await started.agent.ready;

  // Policies of every kind the controller writes for: seccomp with a rolling restart, NetworkProxy (its Secret), a
  // cluster policy (its Secret in every namespace), BPF toServices.
  const web = varmorPolicy('web', { enforcer: 'Seccomp' });
  web.spec.target = { kind: 'Deployment', selector: { matchLabels: { app: 'web' } } };
  web.spec.updateExistingWorkloads = true;
  // Each restart meets a conflict: the workload is read again.
  for (const [plural, kind, name] of WORKLOADS) {
    api.conflictNext('PUT', `/${plural}/${name}`, 1);
    if (kind === 'Deployment') continue;
    const restarting = varmorPolicy(name, { enforcer: 'Seccomp' });
    restarting.spec.target = { kind, name };
    restarting.spec.updateExistingWorkloads = true;
    api.put(POLICIES, restarting);
  }
  api.put(POLICIES, web);
  const egress = { defaultAction: 'deny', rules: [{ qualifiers: ['allow'], ip: '10.0.0.1', ports: [{ port: 443 }] }] };
  api.put(POLICIES, varmorPolicy('proxy', { enforcer: 'NetworkProxy', enhanceProtect: { networkProxyRawRules: { egress } } }));
  api.put(CLUSTER_POLICIES, varmorPolicy('everywhere', { enforcer: 'NetworkProxy', enhanceProtect: { networkProxyRawRules: { egress } } }, 'VarmorClusterPolicy'));
  api.put(POLICIES, varmorPolicy('client', { enforcer: 'BPF', enhanceProtect: { bpfRawRules: { network: { egress: { toServices: [{ qualifiers: ['deny'], namespace: 'demo', name: 'db' }] } } } } }));
  const phase = (collection: string, name: string) => (api.get(collection, name, collection === POLICIES ? 'demo' : undefined)?.status as { phase?: string } | undefined)?.phase;
  await until(() => phase(POLICIES, 'web') === 'Protecting' && phase(POLICIES, 'proxy') === 'Protecting' && phase(CLUSTER_POLICIES, 'everywhere') === 'Protecting');
  await until(() => phase(POLICIES, 'client') !== undefined);
  await until(() => WORKLOADS.every(([plural, , name]) => JSON.stringify(api.get(`/apis/apps/v1/${plural}`, name, 'demo')).includes('restartedAt')));

  // BehaviorModeling: the agent writes its part (create, then patch as it grows), the manager the model; then the run
  // is stamped as started long ago (a new run, already over): the model completes after the grace, the manager's
  // chunks of the new run replace the old ones, and the nodes' parts are deleted.
  api.put(POLICIES, varmorPolicy('modeled', { enforcer: 'Seccomp', mode: 'BehaviorModeling', modelingOptions: { duration: 5 } }));
  await until(() => phase(POLICIES, 'modeled') === 'Modeling');
  await proc.addContainer(19873, '11111111-2222-4333-8444-555555555555', 1, 4026532101);
  const record = (syscall: number) => `audit: type=1326 audit(1764583201.502:${syscall}): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=varmor-demo-modeled (complain) pid=19873 comm="sh" exe="/bin/sh" sig=0 arch=c000003e syscall=${syscall} compat=0 ip=0x7f3c012e467b code=0x7ffc0000\n`;
  const parts = () => api.list('/apis/armorkit.dev/v1alpha1/armormodelparts');
  await appendFile(auditLog, record(0));
  await until(() => parts().some((part) => JSON.stringify(part.spec).includes('"read"')));
  await appendFile(auditLog, record(1));
  await until(() => parts().some((part) => JSON.stringify(part.spec).includes('"write"')) && api.get('/apis/crd.varmor.org/v1beta1/armorprofilemodels', 'varmor-demo-modeled', 'demo'));
  await until(() => parts().some((part) => !('nodeName' in (part.spec as object)) && JSON.stringify(part.spec).includes('"write"')));
  const modeled = api.get(PROFILES, 'varmor-demo-modeled', 'demo')!;
  api.put(PROFILES, { ...modeled, metadata: { ...modeled.metadata, annotations: { 'armorkit.dev/modeling-started-at': '2026-01-01T00:00:00Z' } } });
  await until(() => phase(POLICIES, 'modeled') === 'Completed');
  await until(() => parts().every((part) => !('nodeName' in (part.spec as object))));
  // A new namespace (the cluster policy's Secret follows), an endpoint change, an update, then deletes.
  api.put('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late' }, status: { phase: 'Active' } });
  await until(() => api.get(SECRETS, 'varmor-cluster-varmor-everywhere', 'late'));
  // The cluster policy's configuration changes (its Secrets are rewritten); the namespace goes (its copy is removed).
  const everywhere = api.get(CLUSTER_POLICIES, 'everywhere')!;
  const wider = { ...egress, rules: [...egress.rules, { qualifiers: ['allow'], ip: '10.0.0.2', ports: [{ port: 443 }] }] };
  api.put(CLUSTER_POLICIES, { ...everywhere, spec: { ...(everywhere.spec as object), policy: { enforcer: 'NetworkProxy', mode: 'EnhanceProtect', enhanceProtect: { networkProxyRawRules: { egress: wider } } } } } as KubeObject);
  await until(() => calls.length === 0 && api.calls.some((call) => call.token === 'manager' && call.method === 'PUT' && call.path.includes('/secrets/')));
  api.delete('/api/v1/namespaces', 'late');
  await until(() => !api.get(SECRETS, 'varmor-cluster-varmor-everywhere', 'late'));
  const stored = api.get(POLICIES, 'web', 'demo')!;
  api.put(POLICIES, { ...stored, spec: { ...(stored.spec as object), policy: { ...web.spec.policy, enforcer: 'AppArmorSeccomp' } } } as KubeObject);
  await until(() => (api.get(PROFILES, 'varmor-demo-web', 'demo')?.spec as { profile: { enforcer: string } }).profile.enforcer === 'AppArmorSeccomp');
  api.delete(POLICIES, 'web', 'demo');
  api.delete(POLICIES, 'proxy', 'demo');
  await until(() => !api.get(PROFILES, 'varmor-demo-web', 'demo') && !api.get(SECRETS, 'varmor-demo-proxy', 'demo'));
  await until(() => !JSON.stringify(api.get('/apis/apps/v1/deployments', 'web', 'demo')).includes('varmor-demo-web'));
  // Leadership handed over on stop: the Lease is written once more.
  for (const stop of stops.splice(0).reverse()) await stop();
  calls = [...api.calls];
}, 120_000);
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await api?.close();
});

describe('the chart grants what the manager and the agent call, and no more', () => {
  const objects = renderManifests({ values: defaultValues(), tls: TLS });
  const components = [
    { token: 'manager', serviceAccount: NAMES.manager },
    { token: 'agent', serviceAccount: NAMES.agent },
  ];

  it.each(components)('every request of the $token is allowed by its roles (RBAC matching), the implied finalizer updates too', ({ token, serviceAccount }) => {
    const bound = boundRules(objects, serviceAccount, 'armorkit');
    const mine = calls.filter((call) => call.token === token);
    expect(mine.length).toBeGreaterThan(10);
    const requested: RequestAttributes[] = mine.flatMap((call) => {
      const attributes = attributesOf(call);
      // Non-resource URLs (/version) are every authenticated user's (system:discovery).
      return attributes ? [attributes, ...impliedByOwnerReferences(call, OWNERS)] : [];
    });
    const refused = [...new Set(requested.filter((attributes) => !allows(bound, attributes)).map(describeAttributes))].sort();
    expect(refused).toEqual([]);
    // Every grant is used in the scenario: nothing is granted that the code does not call.
    const used = new Set(requested.map(usedKey));
    expect([...grantsOf(bound)].filter((grant) => !used.has(grant)).sort()).toEqual([]);
  });

  it('grants no wildcard, and what is broad says why', () => {
    const roles = objects.filter((object) => object.kind === 'ClusterRole' || object.kind === 'Role') as (Manifest & { rules: PolicyRule[] })[];
    expect(JSON.stringify(roles)).not.toContain('"*"');
    const calledBy = (token: string) => new Set(calls.filter((call) => call.token === token).flatMap((call) => (attributesOf(call) ? [usedKey(attributesOf(call)!)] : [])));
    // The requests above are the proof: the agent never writes a policy, a profile or a Secret; the manager never writes a node report.
    expect([...calledBy('agent')].filter((key) => !key.startsWith('get ') && !key.startsWith('list ') && !key.startsWith('watch ')).sort()).toEqual([
      'create armorkit.dev/armormodelparts',
      'create armorkit.dev/armornodestatuses',
      'patch armorkit.dev/armormodelparts',
      'patch armorkit.dev/armornodestatuses/status',
    ]);
    expect([...calledBy('manager')].filter((key) => key.includes('armornodestatuses') && !/^(get|list|watch) /.test(key))).toEqual([]);
  });
});

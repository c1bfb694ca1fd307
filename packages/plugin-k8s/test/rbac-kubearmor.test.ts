// The chart's RBAC with kubearmor.enabled against what the code calls: the controller and the webhook's policy watch
// with `kubearmor`, KubeArmor's three kinds created, reported, one deleted; every request (and the finalizer updates
// that owner references with blockOwnerDeletion imply) must be allowed by the rendered roles, and every grant of the
// KubeArmor ClusterRole must be used.
import { createEngine, varmorDialect } from '@armorkit/core';
import type { Profile } from '@armorkit/core/schema';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { kubearmor } from '@armorkit/plugin-kubearmor';
import { kubeArmorSetProfileName } from '@armorkit/plugin-kubearmor/parse';
import { seccomp } from '@armorkit/plugin-seccomp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatKubeArmorSets, KUBEARMOR_SET_LABEL, KUBEARMOR_SETS_ANNOTATION } from '../src/cluster/kubearmor-sets.js';
import { clusterPolicySource } from '../src/cluster/policy-source.js';
import { startManager } from '../src/controller/manager.js';
import { NAMES, renderManifests, type Manifest } from '../src/render/manifests.js';
import { renderValuesSchema } from '../src/render/values.js';
import { ApiDouble, KUBEARMOR_RESOURCES, type RecordedCall } from './support/api-double.js';
import { KUBEARMOR_CLUSTER_POLICIES, KUBEARMOR_HOST_POLICIES, KUBEARMOR_POLICIES, PROFILES, QUICK_MANAGER, reportNode, until } from './support/controller-harness.js';
import { allows, attributesOf, type BoundRules, describeAttributes, grantsOf, impliedByOwnerReferences, type PolicyRule, type RequestAttributes, usedKey } from './support/rbac-check.js';

const TLS = { caCertificate: 'CA\n', certificate: 'CERT\n', privateKey: 'KEY\n' };
const OWNERS = {
  KubeArmorPolicy: { apiGroup: 'security.kubearmor.com', resource: 'kubearmorpolicies', namespaced: true },
  KubeArmorClusterPolicy: { apiGroup: 'security.kubearmor.com', resource: 'kubearmorclusterpolicies', namespaced: false },
  KubeArmorHostPolicy: { apiGroup: 'security.kubearmor.com', resource: 'kubearmorhostpolicies', namespaced: false },
};
const RULES = { process: { matchPaths: [{ path: '/bin/sh' }] }, action: 'Block' };

type Role = Manifest & { rules?: PolicyRule[]; roleRef?: { kind: string; name: string }; subjects?: { kind: string; name: string; namespace?: string }[] };
const rolesOf = (objects: Manifest[]): Role[] => objects;
function bound(objects: Manifest[], serviceAccount: string): BoundRules[] {
  const roles = rolesOf(objects);
  return roles
    .filter((binding) => (binding.kind === 'ClusterRoleBinding' || binding.kind === 'RoleBinding') && binding.subjects?.some((subject) => subject.name === serviceAccount))
    .map((binding) => {
      const role = roles.find((object) => object.kind === binding.roleRef!.kind && object.metadata.name === binding.roleRef!.name);
      if (!role?.rules) throw new Error(`${binding.kind} ${binding.metadata.name} names no role`);
      return binding.kind === 'RoleBinding' ? { namespace: binding.metadata.namespace!, rules: role.rules } : { rules: role.rules };
    });
}

let api: ApiDouble;
let calls: RecordedCall[] = [];
beforeAll(async () => {
  api = await new ApiDouble({ gcDelay: 10 }).start();
  for (const definition of KUBEARMOR_RESOURCES) api.define(definition);
  api.put('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'armorkit' }, status: { phase: 'Active' } });
  const engine = createEngine({ plugins: [varmorDialect(), kubearmor(), apparmor(), seccomp(), bpf({ diskDevices: [] })], rulePacks: [builtinRules] });
  const manager = startManager({
    engine,
    kubeConfig: api.kubeConfig('manager'),
    namespace: 'armorkit',
    kubearmor: true,
    ...QUICK_MANAGER,
    log: (line) => (process.env.RBAC_DEBUG ? console.log(line) : undefined),
  });
  const webhookPolicies = clusterPolicySource({ engine, kubeConfig: api.kubeConfig('manager'), kubearmor: true, backoff: { initial: 5, max: 40 } });
  reportNode(api, 'node-1', []);
  api.put(KUBEARMOR_POLICIES, { apiVersion: 'security.kubearmor.com/v1', kind: 'KubeArmorPolicy', metadata: { name: 'block-sh', namespace: 'demo' }, spec: { selector: { matchLabels: { app: 'web' } }, ...RULES } });
  api.put(KUBEARMOR_CLUSTER_POLICIES, { apiVersion: 'security.kubearmor.com/v1', kind: 'KubeArmorClusterPolicy', metadata: { name: 'no-shell' }, spec: { selector: { matchExpressions: [] }, ...RULES } });
  api.put(KUBEARMOR_HOST_POLICIES, { apiVersion: 'security.kubearmor.com/v1', kind: 'KubeArmorHostPolicy', metadata: { name: 'node-shell' }, spec: { nodeSelector: { matchLabels: {} }, ...RULES } });
  const status = (collection: string, name: string, namespace?: string) => (api.get(collection, name, namespace)?.status as { status?: string } | undefined)?.status;
  await until(() => status(KUBEARMOR_POLICIES, 'block-sh', 'demo') && status(KUBEARMOR_CLUSTER_POLICIES, 'no-shell') && status(KUBEARMOR_HOST_POLICIES, 'node-shell'));

  await until(() => webhookPolicies.policies().length === 2);

  // A pod the webhook marked with the merge of both: the set's ArmorProfile, deleted with the pod.
  const set = kubeArmorSetProfileName([{ kind: 'KubeArmorClusterPolicy', name: 'no-shell' }, { kind: 'KubeArmorPolicy', name: 'block-sh', namespace: 'demo' }]);
  const marks = { [KUBEARMOR_SETS_ANNOTATION]: formatKubeArmorSets({ [set]: ['KubeArmorClusterPolicy//no-shell', 'KubeArmorPolicy/demo/block-sh'] }) };
  api.put('/api/v1/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'demo', labels: { app: 'web', [KUBEARMOR_SET_LABEL]: 'true' }, annotations: marks }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
  await until(() => api.get(PROFILES, set, 'demo'));
  api.delete('/api/v1/pods', 'web-1', 'demo');
  await until(() => api.get(PROFILES, set, 'demo')?.metadata.deletionTimestamp);

  api.delete(KUBEARMOR_POLICIES, 'block-sh', 'demo');
  // The agent of node-1 reports the set it holds now (the cluster policy's profile): the finalizer is released and the
  // profile collected.
  await until(() => api.get(PROFILES, 'kubearmor-demo-block-sh', 'demo')?.metadata.deletionTimestamp);
  const clusterProfile = (api.get(PROFILES, 'kubearmor-cluster-no-shell', 'armorkit')!.spec as { profile: Profile }).profile;
  reportNode(api, 'node-1', [{ namespace: 'armorkit', name: 'kubearmor-cluster-no-shell', profile: clusterProfile }]);
  await until(() => !api.get(PROFILES, 'kubearmor-demo-block-sh', 'demo'));
  await webhookPolicies.stop();
  await manager.stop();
  calls = [...api.calls];
}, 120_000);
afterAll(async () => {
  await api?.close();
});

describe('the chart with kubearmor.enabled grants what the controller and webhook call for KubeArmor\'s kinds', () => {
  const objects = renderManifests({ values: renderValuesSchema.parse({ kubearmor: { enabled: true } }), tls: TLS });

  it('every request of the manager is allowed (the implied finalizer updates too), and every KubeArmor grant is used', () => {
    const rules = bound(objects, NAMES.manager);
    const requested: RequestAttributes[] = calls
      .filter((call) => call.token === 'manager')
      .flatMap((call) => {
        const attributes = attributesOf(call);
        return attributes ? [attributes, ...impliedByOwnerReferences(call, OWNERS)] : [];
      });
    expect(requested.some((attributes) => attributes.apiGroup === 'security.kubearmor.com')).toBe(true);
    expect([...new Set(requested.filter((attributes) => !allows(rules, attributes)).map(describeAttributes))].sort()).toEqual([]);
    const used = new Set(requested.map(usedKey));
    const kubeArmorRole = rolesOf(objects).find((object) => object.kind === 'ClusterRole' && object.metadata.name === `${NAMES.manager}-kubearmor`)!;
    expect([...grantsOf([{ rules: kubeArmorRole.rules! }])].filter((grant) => !used.has(grant)).sort()).toEqual([]);
  });
});

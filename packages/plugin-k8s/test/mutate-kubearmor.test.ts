// The mutating webhook with KubeArmor's policies: pods selected as KubeArmor selects them (namespace, labels, the
// cluster policy's expressions, the containers named), no match label needed, the AppArmor (and BPF) pod changes
// made as for vArmor's profiles; and through the HTTPS server fed AdmissionReviews, policies watched in the API double.
import { createEngine, type Engine, type PolicyIR, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { kubearmor } from '@armorkit/plugin-kubearmor';
import { seccomp } from '@armorkit/plugin-seccomp';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClusterPolicySource, clusterPolicySource } from '../src/cluster/policy-source.js';
import { mutatingAdmission } from '../src/mutate/admission.js';
import { DEFAULT_MATCH_LABELS } from '../src/mutate/match-labels.js';
import { policiesFromTexts } from '../src/mutate/policy-source.js';
import { startWebhookServer, type WebhookServer } from '../src/server/webhook-server.js';
import { review } from './https-client.js';
import { applyPatch, mutate, NOW, object, policy } from './mutate-harness.js';
import { ApiDouble, KUBEARMOR_RESOURCES } from './support/api-double.js';
import { makeTestCertificates } from './test-ca.js';

const engine: Engine = createEngine({ plugins: [varmorDialect(), kubearmor(), apparmor(), seccomp(), bpf()], rulePacks: [builtinRules] });
const GA = { major: 1, minor: 30 };
const BEFORE_GA = { major: 1, minor: 29 };

function kubeArmor(yaml: string): PolicyIR {
  const read = policiesFromTexts(engine, [{ name: 'policy.yaml', text: yaml }]);
  if (read.errors.length > 0 || read.policies.length !== 1) throw new Error(`test policy is invalid: ${JSON.stringify(read.errors)}`);
  return read.policies[0]!;
}

const RULES = `
  process: {matchPaths: [{path: /bin/sh}]}
  action: Block`;
const ksp = (name: string, selector: string, namespace = 'shop') =>
  kubeArmor(`apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: ${selector}${RULES}
`);
const csp = (name: string, expressions: string) =>
  kubeArmor(`apiVersion: security.kubearmor.com/v1
kind: KubeArmorClusterPolicy
metadata: {name: ${name}}
spec:
  selector: {matchExpressions: ${expressions}}${RULES}
`);
const hsp = kubeArmor(`apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata: {name: node-shell}
spec:
  nodeSelector: {matchLabels: {kubernetes.io/hostname: node-1}}${RULES}
`);

const pod = (labels = '{app: web}', namespace = 'shop') =>
  object(`
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ${namespace}, labels: ${labels}}
spec:
  containers: [{name: nginx, image: nginx}, {name: sidecar, image: busybox}]
`);

type Container = { name: string; securityContext?: { appArmorProfile?: { type: string; localhostProfile?: string } } };
const containersOf = (mutated: Record<string, unknown>) => (mutated as { spec: { containers: Container[] } }).spec.containers;
const annotationsOf = (mutated: Record<string, unknown>) => (mutated as { metadata: { annotations?: Record<string, string> } }).metadata.annotations ?? {};
const appArmorOf = (mutated: Record<string, unknown>) =>
  Object.fromEntries(containersOf(mutated).map((container) => [container.name, container.securityContext?.appArmorProfile?.localhostProfile]));

describe('KubeArmor policies in the mutating webhook', () => {
  it('a KubeArmorPolicy: every pod of its namespace with its labels, the containers it names, the AppArmor field (1.30+) or annotation', () => {
    const policies = [ksp('block-sh', '{matchLabels: {app: web, kubearmor.io/container.name: "[nginx]"}}')];
    const mutated = mutate(pod(), { engine, policies, version: GA, namespace: 'shop' });
    expect(mutated.policy?.name).toBe('block-sh');
    const patched = applyPatch(pod(), mutated.operations);
    expect(appArmorOf(patched)).toEqual({ nginx: 'kubearmor-shop-block-sh', sidecar: undefined });
    expect(annotationsOf(patched)).toHaveProperty(['container.bpf.security.beta.varmor.org/nginx']);
    expect(annotationsOf(patched)).not.toHaveProperty(['container.bpf.security.beta.varmor.org/sidecar']);

    const older = applyPatch(pod(), mutate(pod(), { engine, policies, version: BEFORE_GA, namespace: 'shop' }).operations);
    expect(annotationsOf(older)).toMatchObject({ 'container.apparmor.security.beta.kubernetes.io/nginx': 'localhost/kubearmor-shop-block-sh' });
    expect(annotationsOf(older)).not.toHaveProperty(['container.apparmor.security.beta.kubernetes.io/sidecar']);

    // Another namespace, another label, a container name the pod does not have: nothing.
    expect(mutate(pod(undefined, 'other'), { engine, policies, namespace: 'other' }).operations).toEqual([]);
    expect(mutate(pod('{app: api}'), { engine, policies, namespace: 'shop' }).operations).toEqual([]);
    const elsewhere = [ksp('block-sh', '{matchLabels: {app: web, kubearmor.io/container.name: "[db]"}}')];
    expect(mutate(pod(), { engine, policies: elsewhere, namespace: 'shop' }).operations).toEqual([]);
  });

  it('needs no match label (KubeArmor has none); vArmor policies still do, and come first when they match', () => {
    const kubeArmorPolicy = ksp('block-sh', '{matchLabels: {app: web}}');
    const varmorPolicy = policy({ name: 'web', namespace: 'shop', enforcer: 'AppArmor', target: { kind: 'Pod', name: 'web' } });
    const options = { engine, version: GA, namespace: 'shop', matchLabels: DEFAULT_MATCH_LABELS, policies: [varmorPolicy, kubeArmorPolicy] };
    expect(appArmorOf(applyPatch(pod(), mutate(pod(), options).operations))).toEqual({ nginx: 'kubearmor-shop-block-sh', sidecar: 'kubearmor-shop-block-sh' });
    const labelled = pod('{app: web, sandbox.varmor.org/enable: "true"}');
    expect(appArmorOf(applyPatch(labelled, mutate(labelled, options).operations))).toEqual({ nginx: 'varmor-shop-web', sidecar: 'varmor-shop-web' });
  });

  it('a KubeArmorClusterPolicy: namespace In / NotIn and label expressions, as KubeArmor reads them', () => {
    const cases: [string, string, boolean][] = [
      ['[{key: namespace, operator: In, values: [shop]}]', 'shop', true],
      ['[{key: namespace, operator: In, values: [shop]}]', 'other', false],
      ['[{key: namespace, operator: NotIn, values: [shop]}]', 'shop', false],
      ['[{key: namespace, operator: NotIn, values: [shop]}]', 'other', true],
      ['[{key: label, operator: In, values: [app=web]}]', 'other', true],
      ['[{key: label, operator: NotIn, values: [app=web]}]', 'shop', false],
    ];
    for (const [expressions, namespace, selected] of cases) {
      const result = mutate(pod(undefined, namespace), { engine, policies: [csp('no-shell', expressions)], namespace });
      expect(result.operations.length > 0, `${expressions} in ${namespace}`).toBe(selected);
    }
    // No selector at all: every pod.
    expect(mutate(pod(), { engine, policies: [csp('all', '[]')], namespace: 'shop' }).policy?.name).toBe('all');
  });

  it('Pods only: a Deployment is left to its pods (KubeArmor annotates pods); a KubeArmorHostPolicy selects no pod', () => {
    const deployment = object(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
`);
    expect(mutate(deployment, { engine, policies: [ksp('block-sh', '{matchLabels: {app: web}}')], namespace: 'shop' }).operations).toEqual([]);
    expect(mutate(pod(), { engine, policies: [hsp], namespace: 'shop' }).operations).toEqual([]);
  });

  it('several select a container: it gets their merge, and the pod is marked with the set for the controller', () => {
    const policies = [ksp('b-policy', '{matchLabels: {app: web}}'), ksp('a-policy', '{matchLabels: {app: web, kubearmor.io/container.name: "[nginx]"}}'), csp('z-cluster', '[{key: namespace, operator: In, values: [shop]}]')];
    const result = mutate(pod(), { engine, policies, version: GA, namespace: 'shop' });
    expect(result.warnings.filter((warning) => warning.code === 'policies-overlap')).toEqual([]);
    const patched = applyPatch(pod(), result.operations);
    const profiles = appArmorOf(patched);
    // nginx: all three; sidecar: the two that name no container. Each set is one merged profile.
    const all = engine.combine(policies).policy?.profileName;
    const two = engine.combine([policies[0]!, policies[2]!]).policy?.profileName;
    expect(profiles).toEqual({ nginx: all, sidecar: two });
    expect(all).toMatch(/^kubearmor-shop-set-[0-9a-f]{10}$/);
    const sets = JSON.parse(annotationsOf(patched)['armorkit.dev/kubearmor-sets'] ?? '{}') as Record<string, string[]>;
    expect(sets).toEqual({
      [all!]: ['KubeArmorClusterPolicy//z-cluster', 'KubeArmorPolicy/shop/a-policy', 'KubeArmorPolicy/shop/b-policy'],
      [two!]: ['KubeArmorClusterPolicy//z-cluster', 'KubeArmorPolicy/shop/b-policy'],
    });
    expect((patched as { metadata: { labels: Record<string, string> } }).metadata.labels).toMatchObject({ 'armorkit.dev/kubearmor-set': 'true' });
    // Mutating the patched pod again changes nothing.
    expect(mutate(patched, { engine, policies, version: GA, namespace: 'shop' }).operations).toEqual([]);
  });

  it('policies whose rules no enforcer can take together: the first is applied, a warning says why', () => {
    const pattern = kubeArmor('apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata: {name: a-pattern, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  process: {matchPatterns: [{pattern: "/usr/bin/sleep 1", action: Block}]}\n');
    const capability = kubeArmor('apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata: {name: b-capability, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  capabilities: {matchCapabilities: [{capability: chown, action: Audit}]}\n');
    const result = mutate(pod(), { engine, policies: [capability, pattern], version: GA, namespace: 'shop' });
    expect(result.policy?.name).toBe('a-pattern');
    const overlap = result.warnings.find((warning) => warning.code === 'policies-overlap');
    expect(overlap?.message).toMatch(/^KubeArmorPolicy shop\/a-pattern is applied to nginx, sidecar; KubeArmorPolicy shop\/b-capability also selects them and cannot be merged with it \(no armorkit enforcer can enforce/);
    expect(annotationsOf(applyPatch(pod(), result.operations))).not.toHaveProperty(['armorkit.dev/kubearmor-sets']);
  });
});

describe('KubeArmor policies watched in a cluster, through the HTTPS webhook', () => {
  let api: ApiDouble | undefined;
  let source: ClusterPolicySource | undefined;
  let server: WebhookServer | undefined;
  afterEach(async () => {
    await server?.close(100);
    await source?.stop();
    await api?.close();
    server = source = api = undefined;
  });

  async function start(installed: boolean) {
    api = await new ApiDouble().start();
    if (installed) for (const definition of KUBEARMOR_RESOURCES) api.define(definition);
    const log: string[] = [];
    source = clusterPolicySource({ engine, kubeConfig: api.kubeConfig(), kubearmor: true, log: (line) => log.push(line), backoff: { initial: 5, max: 40 } });
    const certificates = await makeTestCertificates();
    const started = await startWebhookServer({
      certFile: certificates.certFile,
      keyFile: certificates.keyFile,
      listen: { host: '127.0.0.1', port: 0 },
      routes: { '/mutate': mutatingAdmission({ engine, policies: source.policies, kubeVersion: source.kubeVersion, clock: () => NOW }) },
      log: () => {},
    });
    if ('problem' in started) throw new Error(started.problem);
    server = started.server;
    const port = server.address.port;
    const object = pod();
    const admit = async () => {
      const answer = await review(port, certificates.ca, '/mutate', {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: '0b7c2e7e-0000-4000-8000-00000000ka01',
          kind: { group: '', version: 'v1', kind: 'Pod' },
          resource: { group: '', version: 'v1', resource: 'pods' },
          namespace: 'shop',
          operation: 'CREATE',
          userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
          object,
        },
      });
      const response = (answer.json as { response: { allowed: boolean; patch?: string } }).response;
      expect(response.allowed).toBe(true);
      return response.patch ? applyPatch(object, JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'))) : undefined;
    };
    return { api, source, log, admit };
  }

  const kspObject = {
    apiVersion: 'security.kubearmor.com/v1',
    kind: 'KubeArmorPolicy',
    metadata: { name: 'block-sh', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'web' } }, process: { matchPaths: [{ path: '/bin/sh' }] }, action: 'Block' },
  };

  it('a KubeArmorPolicy created in the cluster: the pod the API server sends gets its profile, without the match label', async () => {
    const { api, source, admit } = await start(true);
    await source.ready;
    expect(await admit()).toBeUndefined();
    api.put('/apis/security.kubearmor.com/v1/kubearmorpolicies', kspObject);
    while (source.policies().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const patched = await admit();
    expect(appArmorOf(patched!)).toEqual({ nginx: 'kubearmor-shop-block-sh', sidecar: 'kubearmor-shop-block-sh' });
  });

  it('KubeArmor\'s CRDs not installed: ready all the same (vArmor policies still served), said once per kind', async () => {
    const { source, log, admit } = await start(false);
    await source.ready;
    expect(source.isReady()).toBe(true);
    expect(await admit()).toBeUndefined();
    expect(log.filter((line) => line.includes('/kubearmorpolicies: not served (404'))).toHaveLength(1);
    expect(log.filter((line) => line.includes('/kubearmorclusterpolicies: not served (404'))).toHaveLength(1);
  });
});

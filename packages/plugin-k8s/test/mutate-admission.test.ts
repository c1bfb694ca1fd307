import { describe, expect, it } from 'vitest';
import type { AdmissionRequest } from '../src/admission/review.js';
import { asWarnings, mutatingAdmission } from '../src/mutate/admission.js';
import { cachedKubernetesVersion, parseKubernetesVersion, parseServerVersion, type ServerVersion } from '../src/mutate/kubernetes-version.js';
import { applyPatch, engine, NOW, NOW_TEXT, policy } from './mutate-harness.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'testns', labels: { 'sandbox.varmor.org/enable': 'true' } },
  spec: { template: { metadata: {}, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
};

const request = (overrides: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
  kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
  resource: { group: 'apps', version: 'v1', resource: 'deployments' },
  namespace: 'testns',
  operation: 'CREATE',
  userInfo: { username: 'admin' },
  object: deployment,
  ...overrides,
});

const fixedVersion = (major: number, minor: number) => async () => ({ ok: true as const, value: { major, minor }, warnings: [] });
const webPolicy = policy({ enforcer: 'AppArmor', target: { kind: 'Deployment', name: 'web' } });

describe('mutatingAdmission: the /mutate handler', () => {
  it('answers a matching Deployment with the base64 JSON patch, which applies and names the profile', async () => {
    const handler = mutatingAdmission({ engine, policies: () => [webPolicy], kubeVersion: fixedVersion(1, 30), clock: () => NOW });
    const response = await handler(request());
    expect(response).toMatchObject({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true, patchType: 'JSONPatch' });
    const operations = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8'));
    const mutated = applyPatch(deployment, operations);
    expect(mutated).toMatchObject({
      metadata: { annotations: { 'webhook.varmor.org/mutatedAt': NOW_TEXT } },
      spec: { template: { spec: { containers: [{ securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'varmor-testns-test' } } }] } } },
    });
    // The API server sends the mutated object back on the next update: nothing more to change.
    const again = await handler(request({ operation: 'UPDATE', object: mutated, oldObject: mutated }));
    expect(again).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  it('answers each workload kind as the API server sends it: Pods, Deployments, StatefulSets, DaemonSets', async () => {
    const kinds = [
      { kind: 'Pod', group: '', resource: 'pods', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { 'sandbox.varmor.org/enable': 'true' } }, spec: { containers: [{ name: 'nginx' }] } } },
      ...['Deployment', 'StatefulSet', 'DaemonSet'].map((kind) => ({ kind, group: 'apps', resource: `${kind.toLowerCase()}s`, object: { ...deployment, kind } })),
    ];
    for (const { kind, group, resource, object } of kinds) {
      const policies = [policy({ enforcer: 'BPF', target: { kind, name: 'web' } })];
      const handler = mutatingAdmission({ engine, policies: () => policies, kubeVersion: fixedVersion(1, 30), clock: () => NOW });
      const response = await handler(request({ kind: { group, version: 'v1', kind }, resource: { group, version: 'v1', resource }, object }));
      const operations = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as { path: string }[];
      const annotations = kind === 'Pod' ? '/metadata/annotations' : '/spec/template/metadata/annotations';
      expect(operations.map((operation) => operation.path), kind).toContain(`${annotations}/container.bpf.security.beta.varmor.org~1nginx`);
    }
  });

  it('reads the policies each time (an informer may have changed them) and the version through its provider', async () => {
    let policies = [webPolicy];
    let versionReads = 0;
    const handler = mutatingAdmission({
      engine,
      policies: async () => policies,
      kubeVersion: cachedKubernetesVersion(async () => {
        versionReads += 1;
        return { major: '1', minor: '29', gitVersion: 'v1.29.4' };
      }),
      clock: () => NOW,
    });
    expect((await handler(request())).patch).toBeDefined();
    policies = [];
    expect((await handler(request())).patch).toBeUndefined();
    expect(versionReads).toBe(1);
  });

  it('allows unchanged what it does not mutate: other operations, kinds and subresources, unlabelled objects', async () => {
    const handler = mutatingAdmission({ engine, policies: () => [webPolicy], kubeVersion: fixedVersion(1, 30) });
    for (const other of [
      request({ operation: 'DELETE' }),
      request({ kind: { group: '', version: 'v1', kind: 'ConfigMap' } }),
      request({ subResource: 'status' }),
      request({ object: { ...deployment, metadata: { name: 'web', namespace: 'testns' } } }),
    ]) {
      expect(await handler(other)).toEqual({ uid: other.uid, allowed: true });
    }
    const noLabelNeeded = mutatingAdmission({ engine, policies: () => [webPolicy], kubeVersion: fixedVersion(1, 30), matchLabels: {} });
    expect((await noLabelNeeded(request({ object: { ...deployment, metadata: { name: 'web', namespace: 'testns' } } }))).patch).toBeDefined();
  });

  it('never refuses and never throws: an unreadable object, an unknown version or a failing provider become warnings', async () => {
    const handler = mutatingAdmission({ engine, policies: () => [webPolicy], kubeVersion: fixedVersion(1, 30) });
    const broken = await handler(request({ object: { ...deployment, spec: { template: { spec: { containers: 'nginx' } } } } }));
    expect(broken).toEqual({ uid: broken.uid, allowed: true, warnings: ['armorkit: /spec/template/spec/containers: expected a list'] });
    const unknownVersion = mutatingAdmission({
      engine,
      policies: () => [webPolicy],
      kubeVersion: cachedKubernetesVersion(async () => {
        throw new Error('connection refused');
      }),
    });
    expect((await unknownVersion(request())).warnings).toEqual(["armorkit: the API server's version could not be read: connection refused"]);
    const failingPolicies = mutatingAdmission({
      engine,
      policies: () => {
        throw new Error('informer not synced');
      },
      kubeVersion: fixedVersion(1, 30),
    });
    expect(await failingPolicies(request())).toMatchObject({ allowed: true, warnings: ['armorkit: the workload was not mutated: informer not synced'] });
    expect(() => mutatingAdmission({ engine, policies: () => [], kubeVersion: fixedVersion(1, 30), matchLabels: { 'not a key': 'x' } })).toThrow(/"not a key" is not a label key/);
  });
});

describe('the Kubernetes version', () => {
  it('is read from /version, minors such as 30+ included, or from gitVersion', () => {
    const version = (major: string, minor: string, gitVersion = '') => parseServerVersion({ major, minor, gitVersion });
    expect(version('1', '30')).toMatchObject({ ok: true, value: { major: 1, minor: 30 } });
    expect(version('1', '30+', 'v1.30.2-gke.1')).toMatchObject({ ok: true, value: { major: 1, minor: 30 } });
    expect(version('', '', 'v1.29.4+k3s1')).toMatchObject({ ok: true, value: { major: 1, minor: 29 } });
    expect(version('', '', 'unknown')).toMatchObject({ ok: false, errors: [{ code: 'kubernetes-version-unknown' }] });
    expect(parseKubernetesVersion('1.30')).toMatchObject({ ok: true, value: { major: 1, minor: 30 } });
    expect(parseKubernetesVersion('v1.29.3')).toMatchObject({ ok: true, value: { major: 1, minor: 29 } });
    expect(parseKubernetesVersion('thirty')).toMatchObject({ ok: false });
  });

  it('is read once, shared by concurrent callers, and read again after a failure', async () => {
    const answers: (ServerVersion | Error)[] = [new Error('timeout'), { major: '1', minor: '31', gitVersion: 'v1.31.0' }];
    let reads = 0;
    const read = cachedKubernetesVersion(async () => {
      const answer = answers[reads++]!;
      if (answer instanceof Error) throw answer;
      return answer;
    });
    expect(await read()).toMatchObject({ ok: false });
    const [a, b] = await Promise.all([read(), read()]);
    expect(a).toMatchObject({ ok: true, value: { major: 1, minor: 31 } });
    expect(b).toBe(a);
    expect(await read()).toBe(a);
    expect(reads).toBe(2);
  });
});

describe("the mutating webhook's warnings", () => {
  it('are one line each within 256 characters, and within 4096 in all, as the API server keeps them', () => {
    const problem = (index: number) => ({ code: 'workload-invalid', pointer: `/spec/containers/${index}`, message: `line one\nline two ${'x'.repeat(400)}` });
    const warnings = asWarnings(Array.from({ length: 40 }, (_, index) => problem(index)));
    expect(warnings[0]).toMatch(/^armorkit: \/spec\/containers\/0: line one line two x+\.\.\.$/);
    expect(warnings.every((warning) => warning.length <= 256 && !/[\n\r]/.test(warning))).toBe(true);
    expect(warnings.join('').length).toBeLessThanOrEqual(4096);
    expect(warnings.at(-1)).toMatch(/^\d+ more problem\(s\)$/);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYamlStream } from '@armorkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { review, send } from '../../plugin-k8s/test/https-client.js';
import { ApiDouble } from '../../plugin-k8s/test/support/api-double.js';
import { makeTestCertificates } from '../../plugin-k8s/test/test-ca.js';
import { armorkitProcess } from './cli-process.js';

const repository = new URL('../../../', import.meta.url).pathname;
const POLICIES = '/apis/crd.varmor.org/v1beta1/varmorpolicies';
const readDocument = (path: string) => parseYamlStream(readFileSync(join(repository, path), 'utf8'), path).documents[0]!.data as Record<string, unknown>;

let api: ApiDouble | undefined;
afterAll(() => api?.close());

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('armorkit k8s webhook --watch-policies', () => {
  it('is not ready until the policies are listed, then mutates by the policies the cluster holds now', async () => {
    api = await new ApiDouble({ version: { major: '1', minor: '29', gitVersion: 'v1.29.4' } }).start();
    api.failLists = Number.MAX_SAFE_INTEGER;
    const certificates = await makeTestCertificates();
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'armorkit-kubeconfig-')), 'config');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: double\n  cluster:\n    server: ${api.url}\n    insecure-skip-tls-verify: true\nusers:\n- name: test\n  user:\n    token: test-token\ncontexts:\n- name: double\n  context:\n    cluster: double\n    user: test\ncurrent-context: double\n`,
      { mode: 0o600 },
    );
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
    delete env.KUBERNETES_SERVICE_HOST;
    const child = armorkitProcess(['k8s', 'webhook', '--cert', certificates.certFile, '--key', certificates.keyFile, '--listen', '127.0.0.1:0', '--no-verify', '--watch-policies'], { cwd: repository, env });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until(() => /listening on https:\/\/127\.0\.0\.1:(\d+)/.test(stderr) && stderr.includes('trying again'));
    const port = Number(/listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
    expect(await send(port, certificates.ca, '/readyz', undefined, { method: 'GET' })).toMatchObject({ status: 503, text: 'not ready: the policies are not listed yet\n' });
    api.failLists = 0;
    await until(() => stderr.includes('policies: listed (0 usable); watching'));
    expect((await send(port, certificates.ca, '/readyz', undefined, { method: 'GET' })).status).toBe(200);

    const deployment = readDocument('examples/kubernetes/web-frontend-deployment.yaml');
    const mutate = async () => {
      const answer = await review(port, certificates.ca, '/mutate', {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: '3b0f5d0e-8a57-4c1f-9b2e-5a1c7e0d9f11',
          kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
          resource: { group: 'apps', version: 'v1', resource: 'deployments' },
          name: 'web-frontend',
          namespace: 'shop',
          operation: 'CREATE',
          userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
          object: deployment,
          oldObject: null,
          dryRun: false,
          options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
        },
      });
      const response = (answer.json as { response: { patch?: string } }).response;
      return response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as { op: string; path: string }[]) : undefined;
    };
    expect(await mutate()).toBeUndefined();
    const policy = readDocument('examples/policies/web-frontend-apparmor.yaml') as { metadata: { name: string; namespace?: string } };
    api.put(POLICIES, policy);
    await until(async () => (await mutate()) !== undefined);
    // The double says 1.29: AppArmor by annotation, as before Kubernetes 1.30.
    const paths = (await mutate())!.map((operation) => operation.path);
    expect(paths).toContain('/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1nginx');
    expect(paths.some((path) => path.endsWith('appArmorProfile'))).toBe(false);
    api.delete(POLICIES, policy.metadata.name, policy.metadata.namespace);
    await until(async () => (await mutate()) === undefined);
    expect(api.requests.filter((line) => line.startsWith('GET /version'))).toHaveLength(1);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('refuses --watch-policies with --policies or --kube-version', async () => {
    const child = armorkitProcess(['k8s', 'webhook', '--cert', 'a.crt', '--key', 'a.key', '--watch-policies', '--kube-version', '1.30'], { cwd: repository });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 2, stderr: 'armorkit: --watch-policies reads the policies and the Kubernetes version from the cluster: give neither --policies nor --kube-version\n' });
  });
});

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { type Engine, parseYamlStream } from '@armorkit/core';
import { startWebhookServer, validatingWebhook, type WebhookServer } from '@armorkit/plugin-k8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { review } from '../../plugin-k8s/test/https-client.js';
import { makeTestCertificates, type TestCertificates } from '../../plugin-k8s/test/test-ca.js';
import { validateCommand } from '../src/commands/validate.js';
import { loadEngine } from '../src/default-engine.js';
import { armorkitProcess } from './cli-process.js';

const CORPUS = new URL('../../../../shared/corpus/varmor/', import.meta.url).pathname;
const GOLDEN_CREATE = new URL('../../plugin-k8s/test/fixtures/admission/create-varmorpolicy.json', import.meta.url).pathname;
const POLICY_KINDS = new Set(['VarmorPolicy', 'VarmorClusterPolicy']);

/** The TCP addresses process `pid` listens on (`127.0.0.1:3443`), read from /proc as `ss -ltnp` would. */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? ''];
      } catch {
        return [];
      }
    }),
  );
  const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((row) => row.trim().split(/\s+/));
  // Columns: sl, local_address (hex IPv4:port), rem_address, st (0A = LISTEN), ..., inode (10th).
  return rows
    .filter((columns) => columns[3] === '0A' && inodes.has(columns[9] ?? ''))
    .map((columns) => {
      const [ip, port] = columns[1]!.split(':') as [string, string];
      const octets = ip.match(/../g)!.map((hex) => parseInt(hex, 16)).reverse();
      return `${octets.join('.')}:${parseInt(port, 16)}`;
    })
    .sort();
}

/** An AdmissionReview CREATE of `object`, as the API server sends it. */
function createReview(object: { kind: string; metadata: { name: string; namespace?: string } }, index: number) {
  const clusterScoped = object.kind === 'VarmorClusterPolicy';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      kind: { group: 'crd.varmor.org', version: 'v1beta1', kind: object.kind },
      resource: { group: 'crd.varmor.org', version: 'v1beta1', resource: clusterScoped ? 'varmorclusterpolicies' : 'varmorpolicies' },
      name: object.metadata.name,
      ...(clusterScoped ? {} : { namespace: object.metadata.namespace ?? 'default' }),
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply' },
    },
  };
}

describe('the validating webhook and armorkit validate agree on the vArmor corpus', () => {
  let certificates: TestCertificates;
  let server: WebhookServer;
  let engine: Engine;

  beforeAll(async () => {
    certificates = await makeTestCertificates();
    // The engine `armorkit validate` uses: every official plugin installed next to the CLI.
    engine = (await loadEngine({ cwd: CORPUS })).engine;
    const started = await startWebhookServer({
      certFile: certificates.certFile,
      keyFile: certificates.keyFile,
      listen: { host: '127.0.0.1', port: 0 },
      routes: { '/validate': validatingWebhook(engine) },
      // apparmor_parser on a busy machine may take longer than the 9 s a cluster allows; the verdicts are what is tested.
      handlerTimeout: 50_000,
    });
    if ('problem' in started) throw new Error(started.problem);
    server = started.server;
  });
  afterAll(async () => {
    await server?.close(100);
    await engine?.close();
  });

  const files = readdirSync(CORPUS).filter((name) => name.endsWith('.yaml')).sort();
  it('has the corpus', () => expect(files.length).toBeGreaterThan(30));

  for (const [fileIndex, name] of files.entries()) {
    it(name, async () => {
      const text = readFileSync(join(CORPUS, name), 'utf8');
      const err: string[] = [];
      const code = await validateCommand(async () => engine, [join(CORPUS, name)], {}, { out: () => {}, err: (line) => err.push(line), cwd: CORPUS });
      // `file:line:column: /pointer: message` without the place in the file, which an object sent as JSON has not.
      const problem = (line: string) => line.replace(/^.*?\.yaml(?::\d+)*: /, '');
      const validateErrors = err.filter((line) => !line.endsWith(' (warning)')).map(problem);
      const validateWarnings = err.filter((line) => line.endsWith(' (warning)')).map((line) => `warning: ${problem(line).slice(0, -' (warning)'.length)}`);

      const webhookErrors: string[] = [];
      const webhookWarnings: string[] = [];
      let allowed = true;
      const policies = parseYamlStream(text, name).documents.filter((document) => POLICY_KINDS.has((document.data as { kind?: string }).kind ?? ''));
      for (const [index, document] of policies.entries()) {
        const body = createReview(document.data as never, fileIndex * 10 + index);
        const got = (await review(server.address.port, certificates.ca, '/validate', body)).json as {
          response: { uid: string; allowed: boolean; status?: { message: string }; warnings?: string[] };
        };
        expect(got.response.uid).toBe(body.request.uid);
        allowed &&= got.response.allowed;
        if (!got.response.allowed) webhookErrors.push(...got.response.status!.message.split('\n').slice(1).map((line) => line.slice(2)));
        webhookWarnings.push(...(got.response.warnings ?? []).filter((warning) => warning.startsWith('warning: ')));
      }
      expect(allowed ? 0 : 1).toBe(code);
      expect(webhookErrors).toEqual(validateErrors);
      expect(webhookWarnings).toEqual(validateWarnings);
    });
  }
});

describe('armorkit k8s webhook', () => {
  it('serves /validate over HTTPS with the given certificate, metrics where asked, and stops on SIGTERM', async () => {
    const certificates = await makeTestCertificates();
    const child = armorkitProcess(
      ['k8s', 'webhook', '--cert', certificates.certFile, '--key', certificates.keyFile, '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--no-verify'],
      { cwd: certificates.directory },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ports = await new Promise<{ webhook: number; metrics: number }>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const webhook = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
        const metrics = /metrics: listening on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr);
        if (webhook && metrics) resolve({ webhook: Number(webhook[1]), metrics: Number(metrics[1]) });
      });
      exited.then(() => reject(new Error(`armorkit exited early: ${stderr}`)));
    });
    // Bound where it was told, and nowhere else.
    expect(listeningAddresses(child.pid!)).toEqual([`127.0.0.1:${ports.webhook}`, `127.0.0.1:${ports.metrics}`].sort());
    const golden = JSON.parse(readFileSync(GOLDEN_CREATE, 'utf8')) as { request: { uid: string } };
    expect((await review(ports.webhook, certificates.ca, '/validate', golden)).json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: golden.request.uid, allowed: true },
    });
    const metrics = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: ports.metrics, path: '/metrics' }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString())).on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    expect(metrics).toContain('armorkit_admission_requests_total{webhook="/validate",operation="CREATE",kind="VarmorPolicy",allowed="true"} 1');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('armorkit: stopping (SIGTERM): finishing the reviews in flight');
  });

  it('serves /mutate with --policies: the example Deployment gets the patch `armorkit k8s mutate` prints', async () => {
    const certificates = await makeTestCertificates();
    const repository = new URL('../../../', import.meta.url).pathname;
    const child = armorkitProcess(
      ['k8s', 'webhook', '--cert', certificates.certFile, '--key', certificates.keyFile, '--listen', '127.0.0.1:0', '--no-verify', '--policies', 'examples/policies', '--kube-version', '1.30'],
      { cwd: repository },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const webhook = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
        if (webhook) resolve(Number(webhook[1]));
      });
      exited.then(() => reject(new Error(`armorkit exited early: ${stderr}`)));
    });
    const deployment = parseYamlStream(readFileSync(join(repository, 'examples/kubernetes/web-frontend-deployment.yaml'), 'utf8'), 'deployment.yaml').documents[0]!.data;
    const uid = '6f1c2a36-0d1e-4c8b-9a57-0c7a9e1d2b3f';
    const answer = await review(port, certificates.ca, '/mutate', {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        resource: { group: 'apps', version: 'v1', resource: 'deployments' },
        name: 'web-frontend',
        namespace: 'shop',
        operation: 'CREATE',
        userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
        object: deployment,
        oldObject: null,
        dryRun: false,
        options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply' },
      },
    });
    const response = (answer.json as { response: { uid: string; allowed: boolean; patchType?: string; patch?: string } }).response;
    expect(response).toMatchObject({ uid, allowed: true, patchType: 'JSONPatch' });
    const operations = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as { op: string; path: string; value: unknown }[];
    expect(operations.map((operation) => `${operation.op} ${operation.path}`)).toEqual([
      'add /metadata/annotations',
      'add /spec/template/metadata/annotations',
      'add /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1nginx',
      'add /spec/template/spec/containers/0/securityContext',
      'add /spec/template/spec/containers/0/securityContext/appArmorProfile',
      'add /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1log-shipper',
      'add /spec/template/spec/containers/1/securityContext/appArmorProfile',
      'add /metadata/annotations/webhook.varmor.org~1mutatedAt',
    ]);
    expect(operations[4]!.value).toEqual({ type: 'Localhost', localhostProfile: 'varmor-shop-web-frontend' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses --kube-version without --policies, and --policies without --kube-version', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = armorkitProcess(['k8s', 'webhook', '--cert', 'a.crt', '--key', 'a.key', ...args], { cwd: CORPUS });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    expect(await run(['--kube-version', '1.30'])).toEqual({ code: 2, stderr: 'armorkit: --kube-version and --match-label configure /mutate: give --watch-policies or --policies too\n' });
    expect(await run(['--policies', '.', '--kube-version', '1.30', '--match-label', 'a=1', '--match-label', 'a=2'])).toEqual({
      code: 2,
      stderr: 'armorkit: --match-label: the match labels "a=1" and "a=2" give the key a two values\n',
    });
    expect(await run(['--policies', '.'])).toEqual({
      code: 2,
      stderr: "armorkit: --kube-version: give the cluster's Kubernetes version (X.Y): the AppArmor patch differs from 1.30 on\n",
    });
    expect(await run(['--kubearmor'])).toEqual({
      code: 2,
      stderr: "armorkit: --kubearmor watches KubeArmor's policies for /mutate: give --watch-policies too (the files of --policies are read whatever their dialect)\n",
    });
  });

  it('refuses a bad address or an unreadable certificate with a usage error', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = armorkitProcess(['k8s', 'webhook', ...args], { cwd: CORPUS });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    expect(await run(['--cert', 'a.crt', '--key', 'a.key', '--listen', 'everywhere'])).toEqual({
      code: 2,
      stderr: 'armorkit: --listen: "everywhere" is not ADDR:PORT (for example 0.0.0.0:3443 or [::1]:3443)\n',
    });
    expect(await run(['--cert', 'a.crt', '--key', 'a.key', '--review-timeout', '45'])).toEqual({
      code: 2,
      stderr: 'armorkit: --review-timeout: "45" is not a number of seconds from 0 to 30\n',
    });
    const missing = await run(['--cert', '/nonexistent/tls.crt', '--key', '/nonexistent/tls.key', '--listen', '127.0.0.1:0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^armorkit: cannot read the serving certificate or key: ENOENT/);
  });
});

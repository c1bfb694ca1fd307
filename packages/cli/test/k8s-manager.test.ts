// `armorkit k8s manager` as a process against the API double: it takes the Lease, turns a policy into its
// ArmorProfile, and on SIGTERM gives the Lease up and exits 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiDouble, KUBEARMOR_RESOURCES } from '../../plugin-k8s/test/support/api-double.js';
import { armorkitProcess } from './cli-process.js';

const repository = new URL('../../../', import.meta.url).pathname;
let api: ApiDouble | undefined;
const directory = mkdtempSync(join(tmpdir(), 'armorkit-manager-'));
afterAll(async () => {
  await api?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** A kubeconfig file for the API double at `server`, in the test's directory. */
function kubeconfigFile(name: string, server: string): string {
  const path = join(directory, name);
  writeFileSync(path, kubeconfigFor(server), { mode: 0o600 });
  return path;
}
const kubeconfigFor = (server: string) =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: double\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\nusers:\n- name: test\n  user:\n    token: test-token\ncontexts:\n- name: double\n  context:\n    cluster: double\n    user: test\ncurrent-context: double\n`;

async function until(check: () => unknown): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('armorkit k8s manager', () => {
  it('leads, makes the ArmorProfile, releases the Lease on SIGTERM', async () => {
    api = await new ApiDouble().start();
    const kubeconfig = kubeconfigFile('config', api.url);
    api.put('/apis/crd.varmor.org/v1beta1/varmorpolicies', {
      apiVersion: 'crd.varmor.org/v1beta1',
      kind: 'VarmorPolicy',
      metadata: { name: 'web', namespace: 'demo' },
      spec: { target: { kind: 'Deployment', name: 'web' }, policy: { enforcer: 'Seccomp', mode: 'EnhanceProtect', enhanceProtect: { hardeningRules: ['disable-cap-privileged'] } } },
    });
    // toServices: the manager's engine compiles BPF with the addresses it watches.
    api.put('/api/v1/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'demo' }, spec: { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] } });
    api.put('/apis/crd.varmor.org/v1beta1/varmorpolicies', {
      apiVersion: 'crd.varmor.org/v1beta1',
      kind: 'VarmorPolicy',
      metadata: { name: 'client', namespace: 'demo' },
      spec: {
        target: { kind: 'Deployment', name: 'client' },
        policy: { enforcer: 'BPF', mode: 'EnhanceProtect', enhanceProtect: { bpfRawRules: { network: { egress: { toServices: [{ qualifiers: ['deny'], namespace: 'demo', name: 'db' }] } } } } },
      },
    });
    const child = armorkitProcess(['k8s', 'manager', '--kubeconfig', kubeconfig, '--namespace', 'armorkit-system', '--lease-name', 'mgr', '--resync', '30s'], { cwd: repository, env: process.env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => api!.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'varmor-demo-web', 'demo'));
    expect(api.get('/apis/coordination.k8s.io/v1/leases', 'mgr', 'armorkit-system')!.spec).toMatchObject({ leaseDurationSeconds: 15 });
    await until(() => (api!.get('/apis/crd.varmor.org/v1beta1/varmorpolicies', 'web', 'demo')!.status as { phase?: string } | undefined)?.phase === 'Pending');
    const client = await (async () => {
      await until(() => api!.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'varmor-demo-client', 'demo'));
      return api.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'varmor-demo-client', 'demo')!;
    })();
    expect(JSON.stringify((client.spec as { profile: { bpf: unknown } }).profile.bpf)).toContain('"ip":"10.96.0.20"');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('manager stopped (SIGTERM)');
    expect(api.get('/apis/coordination.k8s.io/v1/leases', 'mgr', 'armorkit-system')!.spec).toMatchObject({ holderIdentity: '' });
  });

  it('--kubearmor: the default engine reads KubeArmor\'s policies, which become ArmorProfiles owned by them, with their namespace\'s posture', async () => {
    const double = await new ApiDouble().start();
    try {
      for (const definition of KUBEARMOR_RESOURCES) double.define(definition);
      const kubeconfig = kubeconfigFile('config-kubearmor', double.url);
      double.put('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', annotations: { 'kubearmor-file-posture': 'block' } }, status: { phase: 'Active' } });
      double.put('/apis/security.kubearmor.com/v1/kubearmorpolicies', {
        apiVersion: 'security.kubearmor.com/v1',
        kind: 'KubeArmorPolicy',
        metadata: { name: 'allow-hostname', namespace: 'demo' },
        spec: { selector: { matchLabels: { app: 'web' } }, file: { matchPaths: [{ path: '/etc/hostname' }] }, action: 'Allow' },
      });
      double.put('/apis/security.kubearmor.com/v1/kubearmorpolicies', {
        apiVersion: 'security.kubearmor.com/v1',
        kind: 'KubeArmorPolicy',
        metadata: { name: 'block-sh', namespace: 'demo' },
        spec: { selector: { matchLabels: { app: 'web' } }, process: { matchPaths: [{ path: '/bin/sh' }] }, action: 'Block' },
      });
      const child = armorkitProcess(['k8s', 'manager', '--kubeconfig', kubeconfig, '--namespace', 'armorkit', '--kubearmor'], { cwd: repository, env: process.env });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await until(() => double.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'kubearmor-demo-block-sh', 'demo'));
      const profile = double.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'kubearmor-demo-block-sh', 'demo')!;
      expect(profile.metadata.ownerReferences?.[0]).toMatchObject({ apiVersion: 'security.kubearmor.com/v1', kind: 'KubeArmorPolicy', name: 'block-sh' });
      // The namespace's kubearmor-file-posture block: the whitelisted file class has no allow-all line.
      await until(() => double.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'kubearmor-demo-allow-hostname', 'demo'));
      const appArmor = (double.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'kubearmor-demo-allow-hostname', 'demo')!.spec as { profile: { appArmor?: string } }).profile.appArmor ?? '';
      expect(appArmor).toContain('/etc/hostname');
      expect(appArmor).not.toMatch(/^\s*file,$/m);
      await until(() => (double.get('/apis/security.kubearmor.com/v1/kubearmorpolicies', 'block-sh', 'demo')!.status as { status?: string } | undefined)?.status);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await double.close();
    }
  });

  it('refuses a bad --resync with the flag and the value', async () => {
    const child = armorkitProcess(['k8s', 'manager', '--resync', 'often'], { cwd: repository, env: process.env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
    expect(stderr).toContain('--resync: expected a duration of at least 1s such as 30s, 10m or 1h, got "often"');
  });

  it('refuses a bad --match-label, or one key given two values, with the value and the reason', async () => {
    for (const [args, message] of [
      [['--match-label', 'no-equals'], '--match-label: the match label "no-equals" is not key=value'],
      [['--match-label', 'team=a', '--match-label', 'team=b'], '--match-label: the match labels "team=a" and "team=b" give the key team two values'],
    ] as const) {
      const child = armorkitProcess(['k8s', 'manager', ...args], { cwd: repository, env: process.env });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
      expect(stderr).toContain(message);
    }
  });
});

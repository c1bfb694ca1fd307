// `armorkit k8s status` (the bundled CLI) against the API double, with the real controller writing the statuses and
// the nodes' reports written as their agents write them.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_POLICIES, type Harness, POLICIES, reportNode, startHarness, until, varmorPolicy } from '../../plugin-k8s/test/support/controller-harness.js';

const BUNDLE = new URL('../dist/bin.js', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'armorkit-status-'));
let harness: Harness;
let kubeconfig: string;

/** The bundle as a child process (asynchronously: the double answers from this process). */
function status(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BUNDLE, 'k8s', 'status', '--kubeconfig', kubeconfig, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  harness = await startHarness();
  kubeconfig = join(directory, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: double\n  cluster:\n    server: ${harness.api.url}\n    insecure-skip-tls-verify: true\nusers:\n- name: test\n  user:\n    token: test-token\ncontexts:\n- name: double\n  context:\n    cluster: double\n    user: test\ncurrent-context: double\n`,
    { mode: 0o600 },
  );
  for (const node of ['node-1', 'node-2', 'node-3']) reportNode(harness.api, node, []);
  harness.api.put(POLICIES, varmorPolicy('web'));
  harness.api.put(CLUSTER_POLICIES, varmorPolicy('base', {}, 'VarmorClusterPolicy'));
  // A policy no enforcer can compile: phase Error, no profile.
  harness.api.put(POLICIES, varmorPolicy('broken', { enforcer: 'Nothing' }));
  await until(() => harness.api.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'varmor-demo-web', 'demo') && harness.api.get('/apis/crd.varmor.org/v1beta1/armorprofiles', 'varmor-cluster-varmor-base', 'armorkit'));
  const web = harness.profileOf('varmor-demo-web');
  const base = harness.profileOf('varmor-cluster-varmor-base', 'armorkit');
  reportNode(harness.api, 'node-1', [
    { namespace: 'armorkit', name: 'varmor-cluster-varmor-base', profile: base },
    { namespace: 'demo', name: 'varmor-demo-web', profile: web },
  ]);
  reportNode(harness.api, 'node-2', [
    { namespace: 'armorkit', name: 'varmor-cluster-varmor-base', profile: base },
    { namespace: 'demo', name: 'varmor-demo-web', profile: web, state: 'failed', message: 'AppArmor: apparmor_parser: syntax error' },
  ]);
  // node-3's agent has applied neither yet (its report names the empty set).
  await until(() => harness.statusOf('web').phase === 'Error' && harness.statusOf('base', CLUSTER_POLICIES).conditions?.some((condition) => condition.message === 'loaded on 2 of 3 nodes') && harness.statusOf('broken').phase === 'Error');
  await harness.controller.idle();
}, 60_000);
afterAll(async () => {
  await harness?.controller.stop();
  await harness?.api.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('armorkit k8s status', () => {
  it('prints each policy (cluster policies first) with its phase, readiness and every node\'s state', async () => {
    const result = await status([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'VarmorClusterPolicy base: Pending, not ready, ArmorProfile armorkit/varmor-cluster-varmor-base loaded on 2 of 3 nodes',
        '  loaded on 2 of 3 nodes',
        '  NODE    STATE    MESSAGE',
        '  node-1  loaded   Ready',
        '  node-2  loaded   Ready',
        '  node-3  waiting  has not applied the current profiles yet (it holds 0 of 2)',
        '',
        "VarmorPolicy demo/broken: Error, not ready, no ArmorProfile yet",
        `  ${harness.statusOf('broken').conditions!.find((condition) => condition.type === 'Created')!.message}`,
        '',
        'VarmorPolicy demo/web: Error, not ready, ArmorProfile demo/varmor-demo-web loaded on 1 of 3 nodes',
        '  The agents failed processing the profile on 1 of 3 nodes (node node-2: AppArmor: apparmor_parser: syntax error). Please refer to the status of ArmorProfile object (demo/varmor-demo-web) for more details.',
        '  NODE    STATE    MESSAGE',
        '  node-1  loaded   Ready',
        '  node-2  failed   AppArmor: apparmor_parser: syntax error',
        '  node-3  waiting  has not applied the current profiles yet (it holds 0 of 2)',
        '',
      ].join('\n'),
    );
  });

  it('narrows to one policy and one namespace, and prints JSON', async () => {
    const result = await status(['web', '-n', 'demo', '--json']);
    expect(result.code).toBe(0);
    const reports = JSON.parse(result.stdout) as { name: string; phase: string; ready: boolean; desired: number; current: number; nodes: { node: string; state: string }[] }[];
    expect(reports.map((report) => [report.name, report.phase, report.ready, report.desired, report.current])).toEqual([['web', 'Error', false, 3, 1]]);
    expect(reports[0]!.nodes.map((node) => `${node.node}=${node.state}`)).toEqual(['node-1=loaded', 'node-2=failed', 'node-3=waiting']);
    // -n leaves the cluster policies out.
    expect(JSON.parse((await status(['base', '-n', 'demo', '--json'])).stdout || '[]')).toEqual([]);
  });

  it('says so when the named policy does not exist (exit 1), and when the cluster cannot be read (exit 2)', async () => {
    const missing = await status(['nope', '-n', 'demo']);
    expect([missing.code, missing.stderr]).toEqual([1, 'armorkit: no VarmorPolicy or KubeArmorPolicy in namespace demo is named "nope"\n']);
    harness.api.inject({ method: 'GET', path: '/armornodestatuses', code: 403, reason: 'Forbidden', message: 'armornodestatuses.armorkit.dev is forbidden: User "test" cannot list' });
    const refused = await status([]);
    expect([refused.code, refused.stderr]).toEqual([2, 'armorkit: cannot list ArmorNodeStatuses: HTTP 403: armornodestatuses.armorkit.dev is forbidden: User "test" cannot list\n']);
  });
});

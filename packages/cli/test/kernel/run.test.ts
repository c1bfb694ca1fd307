import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { requireKernelLab, readKernelMessages, waitForKernelMessage } from '@armorkit/kernel-lab';
import { beforeAll, describe, expect, it } from 'vitest';
import { armorkit } from '../cli-process.js';

// `armorkit run` in a kernel with AppArmor and BPF-LSM: every enforcer of a policy at once, and seccomp denials logged.
const REPO = new URL('../../../../', import.meta.url).pathname;
const PAYMENTS = 'examples/policies/payments-multi-enforcer.yaml';
const AUDITED = new URL('../fixtures/seccomp-audit.yaml', import.meta.url).pathname;
const MERGE = new URL('../fixtures/kubearmor-merge/', import.meta.url).pathname;

beforeAll(() => {
  requireKernelLab();
  mkdirSync('/run/secrets/kubernetes.io/serviceaccount', { recursive: true });
  writeFileSync('/run/secrets/kubernetes.io/serviceaccount/token', 'token');
});

describe('armorkit run with AppArmor, BPF and seccomp together', { timeout: 600_000 }, () => {
  it('applies all three, and the command still runs and talks on stdout', () => {
    const run = armorkit(['run', '--policy', PAYMENTS, '--', 'sh', '-c', 'echo hello; exit 3'], { cwd: REPO, built: true });
    expect(run.stderr).toMatch(/armorkit: BPF: /);
    expect(run.stderr).toMatch(/armorkit: Seccomp: /);
    expect(run.stderr).toMatch(/armorkit: AppArmor: /);
    expect(run.stdout).toBe('hello\n');
    expect(run.status).toBe(3);
  });

  it('each enforcer denies its own rule: the token (AppArmor and BPF), user namespaces (seccomp)', () => {
    const token = armorkit(['run', '--policy', PAYMENTS, '--', 'cat', '/run/secrets/kubernetes.io/serviceaccount/token'], { cwd: REPO, built: true });
    expect(token.status).not.toBe(0);
    expect(token.stderr).toMatch(/Permission denied|Operation not permitted/);
    const userns = armorkit(['run', '--policy', PAYMENTS, '--', 'unshare', '-U', 'true'], { cwd: REPO, built: true });
    expect(userns.status).not.toBe(0);
    // and without the policy both work
    expect(spawnSync('cat', ['/run/secrets/kubernetes.io/serviceaccount/token']).status).toBe(0);
    expect(spawnSync('unshare', ['-U', 'true']).status).toBe(0);
  });
});

describe('seccomp denials are logged with auditViolations', { timeout: 600_000 }, () => {
  it('chmod +x is denied and a SECCOMP record with the ERRNO action reaches the kernel log', async () => {
    writeFileSync('/tmp/armorkit-audited', '');
    chmodSync('/tmp/armorkit-audited', 0o644);
    const before = readKernelMessages().length;
    const run = armorkit(['run', '--policy', AUDITED, '--', 'chmod', '+x', '/tmp/armorkit-audited'], { cwd: REPO, built: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('denials logged');
    const record = await waitForKernelMessage((m) => m.includes('type=1326') && m.includes('code=0x50000') && m.includes('comm="chmod"'));
    expect(record).toBeDefined();
    expect(readKernelMessages().length).toBeGreaterThan(before);
  });
});

describe('KubeArmor policies given together are one AppArmor profile', { timeout: 600_000 }, () => {
  it('each policy\'s Block is denied under the merged profile, and each alert names its own policy', () => {
    const policies = ['--policy', `${MERGE}block-shadow.yaml`, '--policy', `${MERGE}block-hostname.yaml`];
    const before = readKernelMessages().length;
    const shadow = armorkit(['run', ...policies, '--enforcer', 'apparmor', '--', 'cat', '/etc/shadow'], { cwd: REPO, built: true });
    expect(shadow.stderr).toMatch(/armorkit: AppArmor: /);
    expect(shadow.status).not.toBe(0);
    const hostname = armorkit(['run', ...policies, '--enforcer', 'apparmor', '--', 'cat', '/etc/hostname'], { cwd: REPO, built: true });
    expect(hostname.status).not.toBe(0);
    const other = armorkit(['run', ...policies, '--enforcer', 'apparmor', '--', 'cat', '/etc/os-release'], { cwd: REPO, built: true });
    expect(other.status).toBe(0);
    // One policy alone lets the other's file through.
    expect(armorkit(['run', '--policy', `${MERGE}block-shadow.yaml`, '--enforcer', 'apparmor', '--', 'cat', '/etc/hostname'], { cwd: REPO, built: true }).status).toBe(0);

    // The kernel's records, through `armorkit audit --format kubearmor` with the same files: one alert per policy.
    const log = '/tmp/armorkit-merge-kmsg.log';
    writeFileSync(log, readKernelMessages().slice(before).map((line) => `${line}\n`).join(''));
    const audit = armorkit(['audit', log, '--policies', `${MERGE}block-shadow.yaml`, '--policies', `${MERGE}block-hostname.yaml`, '--format', 'kubearmor', '--quiet'], { cwd: REPO, built: true });
    expect(audit.status).toBe(0);
    const alerts = audit.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { PolicyName?: string; Resource?: string; Action?: string; Severity?: string; Type?: string });
    const about = (file: string) => alerts.find((alert) => alert.Resource === file && alert.Type === 'MatchedPolicy');
    expect(about('/etc/shadow')).toMatchObject({ PolicyName: 'block-shadow', Action: 'Block', Severity: '7' });
    expect(about('/etc/hostname')).toMatchObject({ PolicyName: 'block-hostname', Action: 'Block', Severity: '3' });
  });
});

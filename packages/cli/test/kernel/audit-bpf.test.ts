import { requireKernelLab } from '@armorkit/kernel-lab';
import { beforeAll, describe, expect, it } from 'vitest';
import { armorkit } from '../cli-process.js';

// The operator's path for BPF-LSM violations: `armorkit run` under a BPF policy, then `armorkit audit --source bpf`
// reads the ring buffer and names the policy, although the command (and its profile) are gone by then.
const REPO = new URL('../../../../', import.meta.url).pathname;
const POLICY = 'examples/policies/ci-runner-bpf.yaml';

beforeAll(() => requireKernelLab());

describe('armorkit audit --source bpf', { timeout: 600_000 }, () => {
  it('reports a denial caused under armorkit run, attributed to its policy', () => {
    // Empty the ring buffer of what earlier files left.
    armorkit(['audit', '--source', 'bpf', '--quiet'], { cwd: REPO, built: true });
    const run = armorkit(['run', '--policy', POLICY, '--enforcer', 'bpf', '--', 'cat', '/etc/hostname'], { cwd: REPO, built: true });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Operation not permitted|Permission denied/);

    const audit = armorkit(['audit', '--source', 'bpf', '--policies', 'examples/policies'], { cwd: REPO, built: true });
    expect(audit.status).toBe(0);
    const events = audit.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const denial = events.find((e) => (e.event as Record<string, unknown>).path === '/etc/hostname');
    expect(denial).toMatchObject({
      enforcer: 'BPF',
      action: 'DENIED',
      profileName: 'varmor-ci-ci-runner',
      policyKind: 'VarmorPolicy',
      policyNamespace: 'ci',
      policyName: 'ci-runner',
      event: { operation: 'File', path: '/etc/hostname', comm: 'cat' },
    });
    expect(audit.stderr).toMatch(/0 line\(s\), \d+ violation event\(s\): [1-9]\d* DENIED/);
  });
});

import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBehaviorModels } from '@armorkit/core/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { armorkit } from './cli-process.js';

// armorkit model on this host's kernel with seccomp alone (LOG records in /dev/kmsg), then armorkit run enforcing it.
const FIXTURES = new URL('fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-model-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const DEFENSE = `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: job, namespace: demo}
spec:
  target: {kind: Deployment, name: job}
  policy:
    enforcer: Seccomp
    mode: DefenseInDepth
    defenseInDepth:
      seccomp: {profileType: BehaviorModel}
`;
const canReadKernelLog = (() => {
  try {
    closeSync(openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(process.getuid?.() === 0 && canReadKernelLog)('armorkit model (seccomp on this host)', { timeout: 60_000 }, () => {
  it('records the syscalls of a command, and the model enforced lets it run and denies chmod', () => {
    const out = join(scratch, 'job.model.yaml');
    const model = armorkit(['model', '--policy', join(FIXTURES, 'model-seccomp.yaml'), '--out', out, '--duration', '20s', '--', 'sh', '-c', 'ls / >/dev/null'], { cwd: scratch, built: true });
    expect(model.stderr).toMatch(/events recorded \(Seccomp \d+\)/);
    expect(model.stderr).toMatch(/Seccomp: \d+ syscalls/);
    expect(model.status).toBe(0);
    const { models, errors } = parseBehaviorModels(readFileSync(out, 'utf8'), out);
    expect(errors).toEqual([]);
    const syscalls = models.get('varmor-demo-job')?.data?.dynamicResult?.seccomp?.syscalls ?? [];
    expect(syscalls).toEqual(expect.arrayContaining(['execve', 'getdents64']));
    expect(syscalls).not.toContain('fchmodat');

    writeFileSync(join(scratch, 'defense.yaml'), DEFENSE);
    writeFileSync(join(scratch, 'file'), '');
    const same = armorkit(['run', '--policy', 'defense.yaml', '--model', out, '--', 'sh', '-c', 'ls / >/dev/null'], { cwd: scratch, built: true });
    expect(same.status).toBe(0);
    const chmod = armorkit(['run', '--policy', 'defense.yaml', '--model', out, '--', 'chmod', '+x', 'file'], { cwd: scratch, built: true });
    expect(chmod.status).not.toBe(0);
    expect(chmod.stderr).toContain('Operation not permitted');
  });

  it('refuses a policy that does not model, naming the mode', () => {
    writeFileSync(join(scratch, 'defense.yaml'), DEFENSE);
    const run = armorkit(['model', '--policy', 'defense.yaml', '--out', 'x.yaml', '--', 'true'], { cwd: scratch, built: true });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('is in mode DefenseInDepth; armorkit model records under mode BehaviorModeling');
  });

  it('refuses a duration it cannot read', () => {
    const run = armorkit(['model', '--policy', join(FIXTURES, 'model-seccomp.yaml'), '--out', 'x.yaml', '--duration', '5 parsecs', '--', 'true'], { cwd: scratch, built: true });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--duration: expected a duration');
  });
});

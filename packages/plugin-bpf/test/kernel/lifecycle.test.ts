import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureMessage, varmorDialect, type ConfinementStep } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpf } from '../../src/plugin.js';
import { BpfEnforcer, detachEnforcer } from '../../src/loader/enforcer.js';
import { EPERM, applyTo, closeKernelEnforcer, compileBpf, enhancePolicy, eventsOf, kernelEnforcer } from './support/lab.js';
import { Task } from './support/probe.js';

let lab: Awaited<ReturnType<typeof kernelEnforcer>>;
let root: string;
const tasks: Task[] = [];

beforeAll(async () => {
  lab = await kernelEnforcer();
  root = mkdtempSync('/tmp/armorkit-bpf-life-');
});
afterAll(async () => {
  for (const task of tasks) await task.stop();
  for (const task of tasks) lab.enforcer.removeProfile(task.namespace);
  closeKernelEnforcer();
});

const readRule = (path: string, qualifiers = '[deny]') =>
  `      bpfRawRules:\n        files:\n        - {qualifiers: ${qualifiers}, pattern: "${path}", permissions: [read]}\n`;

describe('profiles change under running tasks', () => {
  it('apply, update and remove take effect on a task that keeps running', async () => {
    const first = join(root, 'first');
    const second = join(root, 'second');
    writeFileSync(first, 'x\n');
    writeFileSync(second, 'x\n');
    const task = await Task.start({ container: true });
    tasks.push(task);
    expect(await task.run(`open ${first} r`)).toBe('ok');
    applyTo(lab.enforcer, task.namespace, compileBpf(enhancePolicy(`      privileged: true\n${readRule(first)}`)));
    expect(await task.run(`open ${first} r`)).toBe(EPERM);
    expect(await task.run(`open ${second} r`)).toBe('ok');
    applyTo(lab.enforcer, task.namespace, compileBpf(enhancePolicy(`      privileged: true\n${readRule(second)}`, 'updated')));
    expect(await task.run(`open ${first} r`)).toBe('ok');
    expect(await task.run(`open ${second} r`)).toBe(EPERM);
    expect(lab.enforcer.profileName(task.namespace)).toBe('varmor-lab-updated');
    expect(lab.enforcer.confinedNamespaces()).toContain(task.namespace);
    expect(lab.enforcer.removeProfile(task.namespace)).toEqual({ ok: true, value: true });
    expect(await task.run(`open ${second} r`)).toBe('ok');
    expect(lab.enforcer.removeProfile(task.namespace)).toEqual({ ok: true, value: false });
    expect(lab.enforcer.confinedNamespaces()).not.toContain(task.namespace);
  });

  it('a profile is swapped whole: a task opening a file in a tight loop is never let through', async () => {
    const file = join(root, 'hammered');
    writeFileSync(file, 'x\n');
    // Two profiles that both deny the file, through different tables (an exact path; a glob among other rules).
    const exact = compileBpf(enhancePolicy(`      privileged: true\n${readRule(file)}`));
    const glob = compileBpf(
      enhancePolicy(
        `      privileged: true\n      bpfRawRules:\n        files:\n` +
          Array.from({ length: 40 }, (_, i) => `        - {qualifiers: [deny], pattern: "/srv/other-${i}/**", permissions: [read]}\n`).join('') +
          `        - {qualifiers: [deny], pattern: "${root}/**", permissions: [read]}\n`,
        'glob',
      ),
    );
    const task = await Task.start({ container: true });
    tasks.push(task);
    applyTo(lab.enforcer, task.namespace, exact);
    const answer = task.run(`hammer ${file} 20000`);
    let swaps = 0;
    let settled = false;
    void answer.then(() => (settled = true));
    while (!settled) {
      applyTo(lab.enforcer, task.namespace, swaps % 2 === 0 ? glob : exact);
      swaps++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await answer).toBe('opened 0');
    expect(swaps).toBeGreaterThan(10);
  });

  it('profiles of mount namespaces that no task is in any more are dropped', async () => {
    const task = await Task.start({ container: true });
    applyTo(lab.enforcer, task.namespace, compileBpf(enhancePolicy(`      privileged: true\n${readRule('/x')}`)));
    await task.stop();
    expect(lab.enforcer.removeStaleProfiles()).toContain(task.namespace);
    expect(lab.enforcer.confinedNamespaces()).not.toContain(task.namespace);
  });
});

describe('pod-self and complain mode', () => {
  it('pod-self rules use the addresses given with the profile', async () => {
    const task = await Task.start({ container: true });
    tasks.push(task);
    const artifact = compileBpf(
      enhancePolicy('      bpfRawRules:\n        network:\n          egress:\n            toDestinations:\n            - {qualifiers: [deny], ip: pod-self, ports: [{port: 9090}]}\n'),
    );
    applyTo(lab.enforcer, task.namespace, artifact, ['127.0.0.44']);
    expect(await task.run('connect 127.0.0.44 9090')).toBe(EPERM);
    expect(await task.run('connect 127.0.0.45 9090')).toBe('ok');
    applyTo(lab.enforcer, task.namespace, artifact, []);
    expect(await task.run('connect 127.0.0.44 9090')).toBe('ok');
  });

  it('BehaviorModeling lets everything through and reports it as ALLOWED', async () => {
    const task = await Task.start({ container: true });
    tasks.push(task);
    const modeling = compileBpf(`apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: model, namespace: lab}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: BPF
    mode: BehaviorModeling
    modelingOptions: {duration: 5}
`);
    applyTo(lab.enforcer, task.namespace, modeling);
    expect(await task.run('open /etc/hostname r')).toBe('ok');
    expect(await task.run('socket 2 1 0')).toBe('ok');
    const events = eventsOf(lab.reader, task.namespace);
    expect(events.every((e) => e.action === 'ALLOWED')).toBe(true);
    expect(events.map((e) => e.event.operation)).toEqual(expect.arrayContaining(['File', 'Network']));
  });
});

describe('armorkit run (confine)', () => {
  const tester = new PolicyTester({ plugins: [varmorDialect(), bpf({ diskDevices: [] })], rulePacks: [builtinRules] });
  const engine = tester.engine;

  async function confineStep(enhance: string): Promise<ConfinementStep> {
    const artifact = tester.compile(enhancePolicy(enhance, 'run'), 'BPF', { file: 'p.yaml' });
    const confinement = await engine.confine(artifact);
    if (!confinement.ok) throw new Error(failureMessage(confinement));
    return confinement.value;
  }

  /** What spawnConfined does: the input in a private file, the step's prefix, then the command. */
  function runWith(step: ConfinementStep, command: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    const inputFile = join(mkdtempSync(join(tmpdir(), 'armorkit-run-test-')), 'input-0');
    writeFileSync(inputFile, step.inputs![0]!, { mode: 0o600 });
    const words = [...step.prefix([inputFile]), ...command];
    const child = spawn(words[0]!, words.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  }

  it('runs the command in its own mount namespace with the profile applied, and removes it afterwards', async () => {
    const before = lab.enforcer.confinedNamespaces();
    const step = await confineStep('      attackProtectionRules:\n      - rules: [disable-access-shadow]\n');
    expect(step.summary).toMatch(/BPF-LSM profile varmor-lab-run/);
    const denied = await runWith(step, ['cat', '/etc/shadow']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Operation not permitted');
    const allowed = await runWith(step, ['cat', '/etc/hostname']);
    expect(allowed.code).toBe(0);
    await step.cleanup?.();
    expect(lab.enforcer.confinedNamespaces()).toEqual(before);
  });

  it('exit codes and signals pass through: the helper becomes the command', async () => {
    const step = await confineStep('      hardeningRules: [disable-cap-chown]\n');
    expect((await runWith(step, ['sh', '-c', 'exit 7'])).code).toBe(7);
    expect((await runWith(step, ['sh', '-c', 'kill -TERM $$'])).signal).toBe('SIGTERM');
    // Signals node ignores (SIGPIPE) are back to their defaults in the command.
    expect((await runWith(step, ['sh', '-c', 'grep -q "^SigIgn:\\s*0*$" /proc/self/status'])).code).toBe(0);
    await step.cleanup?.();
  });
});

describe('attach and detach', () => {
  it('a second open reuses the attached programs; detach unpins them', async () => {
    const pinDirectory = '/sys/fs/bpf/armorkit-detach-test';
    const first = await BpfEnforcer.open({ pinDirectory });
    expect(first.ok).toBe(true);
    const second = await BpfEnforcer.open({ pinDirectory });
    expect(second.ok && first.ok && second.value.objectKey === first.value.objectKey).toBe(true);
    if (first.ok) first.value.close();
    if (second.ok) second.value.close();
    expect(detachEnforcer(pinDirectory)).toEqual({ ok: true, value: true });
    expect(BpfEnforcer.openAttached({ pinDirectory })).toMatchObject({ ok: false, error: { code: 'bpf-pinned-incomplete' } });
    expect(detachEnforcer(pinDirectory)).toEqual({ ok: true, value: false });
  });

  it('says why it cannot attach when BPF-LSM is not active', async () => {
    const lsmPath = join(root, 'lsm');
    writeFileSync(lsmPath, 'lockdown,capability,yama,apparmor');
    expect(await BpfEnforcer.open({ lsmPath })).toMatchObject({ ok: false, error: { code: 'bpf-lsm-inactive' } });
    const tester = new PolicyTester({ plugins: [varmorDialect(), bpf({ diskDevices: [], lsmPath })], rulePacks: [builtinRules] });
    const artifact = tester.compile(enhancePolicy('      hardeningRules: [disable-cap-all]\n'), 'BPF', { file: 'p.yaml' });
    expect(await tester.engine.confine(artifact)).toMatchObject({
      ok: false,
      errors: [{ code: 'bpf-lsm-inactive', message: expect.stringMatching(/BPF-LSM is not active in this kernel .*lsm=lockdown,capability,yama,apparmor,bpf/) }],
    });
  });
});

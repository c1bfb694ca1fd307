import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '@armorkit/core';
import { attemptOutcome, runInProcess } from '../src/demo/attempt.js';
import { demoSucceeded, formatAttempt, formatDemoReport } from '../src/demo/format.js';
import { type DemoDriver, type DemoStep, runDemo } from '../src/demo/run-scenarios.js';
import { DEMO_SCENARIOS, type DemoScenario } from '../src/demo/scenarios.js';
import { loadEngine } from '../src/default-engine.js';

// The demo's runner and its in-process attempts, on the host kernel (which enforces seccomp): real `armorkit run`
// code, a real filter, real denials. The kernel-lab half (AppArmor, BPF-LSM) is what `make demo` shows.

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'armorkit-demo-test-'));
const file = join(dir, 'file');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let engine: Engine;
// Loading every plugin takes longer than vitest's default 10 s hook limit on a loaded machine.
beforeAll(async () => {
  engine = (await loadEngine({ cwd: REPO })).engine;
}, 120_000);

const seccomp = (attempt: string, command: string[], expected: 'allowed' | 'denied'): DemoScenario => ({
  enforcer: 'Seccomp',
  policy: 'examples/policies/batch-worker-seccomp.yaml',
  attempt,
  command,
  expected,
});
const allowed = seccomp('chmod 644 a file', ['chmod', '644', file], 'allowed');
const denied = seccomp('chmod +x a file (disable-chmod-x-bit)', ['chmod', '+x', file], 'denied');

describe('demo attempts in the demo process (armorkit run without a new Node process)', { timeout: 60_000 }, () => {
  it('applies the policy and reads the outcome from the command and from armorkit', async () => {
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const no = await runInProcess(engine, REPO, denied);
    expect(no).toMatchObject({ result: 'denied', exitCode: 1, process: 'in process' });
    expect(no.detail).toMatch(/^chmod: changing permissions of '.*file': Operation not permitted$/);
    expect(no.applied).toEqual([expect.stringMatching(/^Seccomp: seccomp filter of \d+ instructions \(x86_64\) installed before exec$/)]);
    expect(statSync(file).mode & 0o111).toBe(0);

    const yes = await runInProcess(engine, REPO, allowed);
    expect(yes).toMatchObject({ result: 'allowed', exitCode: 0, detail: '' });
  });

  it("enforces the KubeArmor example's syscall rule through seccomp, as the demo does", async () => {
    const scenario = DEMO_SCENARIOS.find((one) => one.policy === 'examples/policies/kubearmor-web-hardening.yaml' && one.enforcer === 'Seccomp');
    expect(scenario?.command).toEqual(['unshare', '-U', 'true']);
    const outcome = await runInProcess(engine, REPO, scenario!);
    expect(outcome).toMatchObject({ result: 'denied', process: 'in process' });
    expect(outcome.applied).toEqual([expect.stringMatching(/^Seccomp: seccomp filter of \d+ instructions \(x86_64\) installed before exec/)]);
  });

  it('says "not applied" with armorkit\'s reason, and when the policy cannot be read', async () => {
    expect(attemptOutcome(0, 'armorkit: AppArmor not applied: AppArmor is not enabled in this kernel\n', 'in process', 1)).toMatchObject({
      result: 'not applied',
      detail: 'AppArmor is not enabled in this kernel',
      applied: [],
    });
    const missing = await runInProcess(engine, REPO, { ...allowed, policy: 'examples/policies/no-such-policy.yaml' });
    expect(missing).toMatchObject({ result: 'not applied', exitCode: null, detail: '--policy: cannot read examples/policies/no-such-policy.yaml' });
  });
});

describe('the demo runner', { timeout: 60_000 }, () => {
  it('yields each attempt as it finishes: the first is printed before the last has finished', async () => {
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const log: string[] = [];
    let firstPrinted: () => void = () => undefined;
    const printed = new Promise<void>((resolve) => (firstPrinted = resolve));
    const driver: DemoDriver = {
      scenarios: [allowed, denied, { ...allowed, enforcer: 'BPF', attempt: 'needs a plugin that is not there' }],
      installed: new Set(['Seccomp']),
      attempt: async (scenario, { freshProcess }) => {
        // The second attempt starts only once the first has been printed, or gives up after a while, so a runner
        // that holds its output back to the end makes the order below wrong instead of hanging.
        expect(freshProcess).toBe(scenario === denied);
        if (scenario === denied) await Promise.race([printed, new Promise((resolve) => setTimeout(resolve, 3000))]);
        const outcome = await runInProcess(engine, REPO, scenario);
        log.push(`finished ${scenario.attempt}`);
        return outcome;
      },
      kernelEvents: async () => ({ events: [], notes: [] }),
      close: () => log.push('closed'),
    };
    const steps: DemoStep[] = [];
    for await (const step of runDemo(driver)) {
      steps.push(step);
      if (step.kind === 'attempt') {
        log.push(`printed ${step.attempt.scenario.attempt}`);
        if (step.attempt.index === 1) firstPrinted();
      }
    }
    expect(log).toEqual([
      'finished chmod 644 a file',
      'printed chmod 644 a file',
      'finished chmod +x a file (disable-chmod-x-bit)',
      'printed chmod +x a file (disable-chmod-x-bit)',
      'closed',
    ]);
    expect(steps.map((s) => s.kind)).toEqual(['waiting', 'attempt', 'waiting', 'attempt', 'waiting', 'done']);
    expect(steps[0]).toEqual({ kind: 'waiting', what: `attempt 1/2: the helper to install the seccomp filter, then chmod 644 ${file}` });
    expect(steps[2]).toEqual({ kind: 'waiting', what: `attempt 2/2: a fresh \`armorkit run\` process (Node start-up and plugin loading under TCG) to run chmod +x ${file}` });
    const done = steps.at(-1);
    if (done?.kind !== 'done') throw new Error('no report');
    expect(done.report.missing).toEqual(['BPF']);
    expect(demoSucceeded(done.report)).toBe(true);
    expect(formatDemoReport(done.report)).toMatch(/\nall 2 attempts behaved as the policies say$/);
  });

  it('prints per attempt the policy, the command, the verdict and the kernel events, and fails a misbehaving attempt', async () => {
    const event = engine.decodeAudit({
      line: 'audit: type=1326 audit(1700000000.123:42): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined pid=590 comm="chmod" exe="/usr/bin/chmod" sig=0 arch=c000003e syscall=268 compat=0 ip=0x7f code=0x7ffc0000',
      source: '/dev/kmsg',
    });
    expect(event).toBeDefined();
    const attempt = {
      index: 3,
      total: 18,
      scenario: { ...denied, expected: 'allowed' as const },
      outcome: attemptOutcome(1, "armorkit: Seccomp: seccomp filter of 114 instructions (x86_64) installed before exec\nchmod: changing permissions of 'f': Operation not permitted\n", 'in process', 2300),
      events: [event!],
    };
    expect(formatAttempt(attempt).split('\n')).toEqual([
      '[ 3/18] Seccomp  chmod +x a file (disable-chmod-x-bit): expected allowed, denied, audited  UNEXPECTED',
      '        policy   examples/policies/batch-worker-seccomp.yaml',
      `        command  armorkit run --policy examples/policies/batch-worker-seccomp.yaml --enforcer seccomp -- chmod +x ${file}  (run's code in the demo's process, 2.3 s)`,
      '        applied  Seccomp: seccomp filter of 114 instructions (x86_64) installed before exec',
      "        said     chmod: changing permissions of 'f': Operation not permitted",
      '        kernel   Seccomp  AUDIT|ALLOWED    590 chmod      fchmodat  (unconfined)',
    ]);
    const report = { attempts: [attempt], missing: [], notes: [] };
    expect(demoSucceeded(report)).toBe(false);
    expect(formatDemoReport(report)).toMatch(/\n1 attempt\(s\) did not behave as expected$/);
  });
});

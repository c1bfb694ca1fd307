import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Engine, PolicyIR } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { requireKernelLab } from '@armorkit/kernel-lab';
import { kubearmor } from '@armorkit/plugin-kubearmor';
import { type KubeArmorAlert, kubeArmorAlert } from '@armorkit/plugin-kubearmor/alerts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../../src/default-engine.js';
import { runInProcess } from '../../src/demo/attempt.js';
import { KernelEvents } from '../../src/demo/kernel-events.js';
import { type ScenarioCase, alertAgrees, expectation, readScenarioCases, selectedCases } from '../support/kubearmor-scenarios.js';

// KubeArmor's behavioural cases replayed through `armorkit run` (run's own code, in this process: a fresh Node per
// case costs a minute under TCG) with each enforcer the policy goes to. Per case: does the command pass or fail as
// KubeArmor's runner expects, and is the expected alert (operation, resource, action) among the events the kernel
// reported, attributed to the policy and written as KubeArmor's alert. ARMORKIT_KUBEARMOR_REPLAY=all replays all 134
// (docs/kubearmor.md#behavioural-replay); by default an even spread of DEFAULT_CASES keeps the file within minutes.
const REPO = new URL('../../../../', import.meta.url).pathname;
const DEFAULT_CASES = 8;
const ENFORCERS = ['AppArmor', 'BPF', 'Seccomp'] as const;
type ReplayEnforcer = (typeof ENFORCERS)[number];

/**
 * The disagreements docs/kubearmor.md#differences-and-why explains case by case, by enforcer and case; the ones of a
 * whole kind are recognised by `explainedDifference`. Any other one fails the test (a regression, or a new difference
 * to explain there).
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  'BPF multiubuntu_test_05/cmd1': 'the runner wraps the command in bash (as KubeArmor\'s does), which the recursive /usr/ Block denies first',
  'BPF multiubuntu_test_05/cmd2': 'the runner wraps the command in bash (as KubeArmor\'s does), which the recursive /usr/ Block denies first',
};
/** Cases whose policy names /bin or /sbin: on merged /usr the kernel sees the resolved /usr path (AppArmor and BPF). */
const MERGED_USR: Readonly<Record<string, string>> = {
  'github_test_01/cmd2': 'fromSource /bin/dash',
  'github_test_04/cmd1': 'fromSource /bin/cat',
  'multiubuntu_test_01/cmd1': '/bin/sleep',
  'multiubuntu_test_01/cmd2': '/bin/sleep',
  'multiubuntu_test_02/cmd1': '/bin/sleep',
  'multiubuntu_test_04/cmd1': '/sbin/',
  'multiubuntu_test_12/cmd1': 'fromSource /bin/dash',
  'multiubuntu_test_18/cmd2': 'fromSource /bin/cat',
};

/** Why a case disagrees with KubeArmor, where docs/kubearmor.md#differences-and-why explains it; else undefined. */
function explainedDifference(run: Replayed): string | undefined {
  const listed = KNOWN_DIFFERENCES[`${run.enforcer} ${run.scenario.id}`];
  if (listed !== undefined) return listed;
  const { scenario } = run;
  const merged = MERGED_USR[scenario.id];
  if (merged !== undefined) return `merged /usr: the policy names ${merged}, the kernel sees the resolved /usr path`;
  // The capability check is what is denied (Capabilities, CAP_NET_RAW); KubeArmor's monitor reports the failed socket().
  if (scenario.operation === 'Network' && !run.passed && run.alerts.some((alert) => alert.Operation === 'Capabilities' && alert.Resource === 'CAP_NET_RAW' && alert.Action === 'Block')) {
    return 'the kernel denies the capability (a Capabilities alert, CAP_NET_RAW); KubeArmor reports the failed socket() (Network, SOCK_RAW)';
  }
  if (/^(curl|wget)\b/.test(scenario.command) && !run.passed) return 'no network in kernel-lab (loopback only)';
  if (run.detail.includes('interface eth0 not found')) return 'busybox arping: kernel-lab has no eth0';
  return undefined;
}

/** The multiubuntu workload's files (reference §6.1) and user1, the `readwrite` helper, ping and arping. */
function prepareWorkload(): void {
  if (!readFileSync('/etc/passwd', 'utf8').includes('\nuser1:')) {
    appendFileSync('/etc/passwd', 'user1:x:1000:1000::/home/user1:/bin/bash\n');
    appendFileSync('/etc/group', 'user1:x:1000:\n');
    appendFileSync('/etc/shadow', 'user1:*:19000:0:99999:7:::\n');
  }
  mkdirSync('/home/user1/dir1', { recursive: true });
  mkdirSync('/credentials/keys', { recursive: true });
  mkdirSync('/run/secrets/kubernetes.io/serviceaccount', { recursive: true });
  for (const [path, text] of [
    ['/secret.txt', 'secret\n'],
    ['/credentials/password', 'password\n'],
    ['/credentials/keys/priv.key', 'key\n'],
    ['/run/secrets/kubernetes.io/serviceaccount/token', 'token\n'],
    ['/home/user1/secret_data1.txt', 'secret data\n'],
    ['/home/user1/otherfile.txt', 'other\n'],
    ['/home/user1/dir1/key1.txt', 'key1\n'],
  ] as const) {
    writeFileSync(path, text);
  }
  copyFileSync('/usr/bin/true', '/home/user1/hello');
  chmodSync('/home/user1/hello', 0o755);
  for (const path of ['/home/user1', '/home/user1/dir1', '/home/user1/secret_data1.txt', '/home/user1/otherfile.txt', '/home/user1/dir1/key1.txt', '/home/user1/hello']) chownSync(path, 1000, 1000);
  // KubeArmor's image has /readwrite: -r FILE reads it, -w FILE appends to it.
  const source = '/tmp/readwrite.c';
  writeFileSync(
    source,
    '#include <fcntl.h>\n#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\nint main(int c, char **v) { if (c < 3) return 2; int w = strcmp(v[1], "-w") == 0;\n' +
      ' int fd = open(v[2], w ? O_WRONLY | O_APPEND : O_RDONLY); if (fd < 0) { perror(v[2]); return 1; }\n' +
      ' char b[64]; if (w ? write(fd, "test\\n", 5) < 0 : read(fd, b, sizeof b) < 0) { perror(v[2]); return 1; } return 0; }\n',
  );
  const built = spawnSync('cc', ['-O2', '-o', '/readwrite', source], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`cc /readwrite: ${built.stderr}`);
  // Debian's iputils is not installed here; busybox's ping and arping open the same kinds of socket.
  for (const name of ['ping', 'arping']) if (!existsSync(`/usr/local/bin/${name}`)) symlinkSync('/bin/busybox', `/usr/local/bin/${name}`);
}

interface Replayed {
  scenario: ScenarioCase;
  enforcer: ReplayEnforcer;
  passed: boolean;
  commandAgrees: boolean;
  alertAgrees: boolean;
  alerts: KubeArmorAlert[];
  detail: string;
}

function alertsOf(events: readonly ViolationEvent[]): KubeArmorAlert[] {
  return events.flatMap((event) => kubeArmorAlert(event) ?? []);
}

/**
 * A case that expects an alert waits for it (under load a report may come after the kernel log is quiet); one that
 * expects none takes what came once the log is quiet.
 */
function expectedAlert(scenario: ScenarioCase): { until?: (events: readonly ViolationEvent[]) => boolean } {
  if (!expectation(scenario).alert) return {};
  return { until: (events) => alertAgrees(scenario, alertsOf(events)) };
}

let engine: Engine;
let events: KernelEvents | undefined;
const owners = new Map<string, PolicyIR>();
const replayed: Replayed[] = [];

/** The enforcers the policy goes to (the semantics choose those that enforce every rule exactly), or why none. */
function enforcersOf(scenario: ScenarioCase): { enforcers: ReplayEnforcer[]; problem?: string } {
  const parsed = engine.parse(readFileSync(scenario.policy, 'utf8'), scenario.policy);
  const [policy] = parsed.policies;
  if (!policy) return { enforcers: [], problem: parsed.errors.map((error) => `${error.pointer}: ${error.message}`).join('; ') };
  const { plan, errors } = engine.resolve(policy);
  if (!plan) return { enforcers: [], problem: errors.map((error) => `${error.pointer}: ${error.message}`).join('; ') };
  owners.set(plan.profileName, policy);
  return { enforcers: ENFORCERS.filter((enforcer) => plan.enforcers[enforcer] !== undefined) };
}

beforeAll(async () => {
  requireKernelLab();
  prepareWorkload();
  // Posture alerts on: the audit posture's DefaultPosture Audit alerts are part of what the cases expect.
  ({ engine } = await loadEngine({ cwd: REPO, plugins: [kubearmor({ postureAlerts: true })] }));
  events = new KernelEvents(engine, owners);
  // Loading every plugin from source and building /readwrite take minutes under TCG.
}, 900_000);

afterAll(() => {
  events?.close();
  const lines = ['', `KubeArmor behavioural replay: ${replayed.length} run(s)`];
  for (const enforcer of ENFORCERS) {
    const mine = replayed.filter((one) => one.enforcer === enforcer);
    if (mine.length === 0) continue;
    const both = mine.filter((one) => one.commandAgrees && one.alertAgrees).length;
    lines.push(`  ${enforcer.padEnd(9)} ${both}/${mine.length} agree (command ${mine.filter((one) => one.commandAgrees).length}, alert ${mine.filter((one) => one.alertAgrees).length})`);
  }
  for (const one of replayed.filter((run) => !run.commandAgrees || !run.alertAgrees)) {
    const alerts = one.alerts.map((alert) => `${alert.PolicyName ?? alert.Type}/${alert.Operation}/${alert.Resource ?? ''}/${alert.Action ?? ''}`).join(', ') || 'no alerts';
    const why = explainedDifference(one);
    lines.push(`  differs: ${one.enforcer} ${one.scenario.id} \`${one.scenario.command}\`: expected ${one.scenario.result}/${one.scenario.action}, ${one.passed ? 'passed' : 'failed'} (${one.detail}); ${alerts}; ${why === undefined ? 'NOT EXPLAINED' : `explained: ${why}`}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
});

const cases = selectedCases(readScenarioCases(), process.env.ARMORKIT_KUBEARMOR_REPLAY, DEFAULT_CASES);

describe('KubeArmor scenario commands through armorkit run', { timeout: 600_000 }, () => {
  it(`the table has KubeArmor's 134 cases; replaying ${cases.length}`, () => {
    expect(readScenarioCases()).toHaveLength(134);
  });

  for (const scenario of cases) {
    it(`${scenario.id}: ${scenario.command}`, async () => {
      const { enforcers, problem } = enforcersOf(scenario);
      if (problem !== undefined) process.stdout.write(`  ${scenario.id}: no enforcer takes the policy: ${problem}\n`);
      const kernel = events;
      if (!kernel) throw new Error('the kernel events reader was not opened');
      for (const enforcer of enforcers) {
        await kernel.take({ bpf: enforcer === 'BPF', settleMs: 300 });
        const outcome = await runInProcess(engine, REPO, { enforcer, policy: scenario.policy, attempt: scenario.id, command: ['bash', '-c', scenario.command], expected: 'allowed' });
        const taken = await kernel.take({ bpf: enforcer === 'BPF', ...expectedAlert(scenario) });
        const alerts = alertsOf(taken.events);
        const passed = outcome.result === 'allowed';
        const run: Replayed = {
          scenario,
          enforcer,
          passed,
          commandAgrees: outcome.result !== 'not applied' && passed === expectation(scenario).passes,
          alertAgrees: alertAgrees(scenario, alerts),
          alerts,
          detail: [outcome.detail || `exit ${String(outcome.exitCode)}`, ...taken.notes].join('; '),
        };
        replayed.push(run);
        // Enforcement really happened: the step was applied (disagreements are counted and explained, not failed).
        expect(outcome.result, outcome.detail).not.toBe('not applied');
        if (!run.commandAgrees || !run.alertAgrees) {
          const key = `${enforcer} ${scenario.id}`;
          expect(explainedDifference(run), `${key} disagrees with KubeArmor (${run.passed ? 'passed' : 'failed'}: ${run.detail}) and docs/kubearmor.md does not explain it`).toBeDefined();
        }
      }
    });
  }
});

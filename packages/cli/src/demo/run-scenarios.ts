import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Engine, resolvePolicies } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { readInputs } from '../inputs.js';
import { type AttemptOutcome, runFreshProcess, runInProcess } from './attempt.js';
import { type KernelEventBatch, KernelEvents } from './kernel-events.js';
import { DEMO_SCENARIOS, type DemoScenario } from './scenarios.js';

/** One attempt as it finished, with what the kernel reported while it ran. */
export interface AttemptReport {
  /** 1-based, among the attempts that run. */
  index: number;
  total: number;
  scenario: DemoScenario;
  outcome: AttemptOutcome;
  events: ViolationEvent[];
}

export interface DemoReport {
  attempts: AttemptReport[];
  /** Enforcers no installed plugin handles here. */
  missing: string[];
  /** Event channels that could not be read. */
  notes: string[];
}

/** What the demo says as it goes: what it waits for, each attempt as it finishes, then the whole report. */
export type DemoStep =
  | { kind: 'waiting'; what: string }
  | { kind: 'attempt'; attempt: AttemptReport }
  | { kind: 'done'; report: DemoReport };

/** What the runner drives: the attempts to make, how one is made, and where the kernel's reports are read. */
export interface DemoDriver {
  scenarios: readonly DemoScenario[];
  installed: ReadonlySet<string>;
  attempt(scenario: DemoScenario, options: { freshProcess: boolean }): Promise<AttemptOutcome>;
  kernelEvents(options: { bpf: boolean; final: boolean }): Promise<KernelEventBatch>;
  close(): void;
}

/** What an attempt waits on, for the line printed before it. */
export function waitingFor(scenario: DemoScenario, freshProcess: boolean, firstOfEnforcer: boolean): string {
  const command = scenario.command.join(' ');
  if (freshProcess) return `a fresh \`armorkit run\` process (Node start-up and plugin loading under TCG) to run ${command}`;
  const step =
    scenario.enforcer === 'AppArmor'
      ? 'apparmor_parser to check and load the profile, aa-exec'
      : scenario.enforcer === 'BPF'
        ? firstOfEnforcer
          ? 'libbpf to attach the BPF-LSM programs (built on the host), the helper to apply the profile'
          : 'the helper to apply the BPF profile to a new mount namespace'
        : 'the helper to install the seccomp filter';
  return `${step}, then ${command}`;
}

/**
 * Runs the scenarios one after another and yields each as soon as it has finished, so the caller prints while the
 * VM is still working. The last attempt runs as a fresh `armorkit run` process (what a user types); the others run
 * `run`'s code in this process, which spares each a Node start-up under TCG.
 */
export async function* runDemo(driver: DemoDriver): AsyncGenerator<DemoStep> {
  const missing = [...new Set(driver.scenarios.map((s) => s.enforcer))].filter((e) => !driver.installed.has(e));
  const runnable = driver.scenarios.filter((s) => driver.installed.has(s.enforcer));
  const attempts: AttemptReport[] = [];
  const notes = new Set<string>();
  const started = new Set<string>();
  try {
    for (const [position, scenario] of runnable.entries()) {
      // Last, so the in-process attempts print first: a fresh process is the slowest step of the demo.
      const freshProcess = position === runnable.length - 1;
      yield { kind: 'waiting', what: `attempt ${position + 1}/${runnable.length}: ${waitingFor(scenario, freshProcess, !started.has(scenario.enforcer))}` };
      started.add(scenario.enforcer);
      const outcome = await driver.attempt(scenario, { freshProcess });
      const batch = await driver.kernelEvents({ bpf: scenario.enforcer === 'BPF', final: false });
      for (const note of batch.notes) notes.add(note);
      const attempt = { index: position + 1, total: runnable.length, scenario, outcome, events: batch.events };
      attempts.push(attempt);
      yield { kind: 'attempt', attempt };
    }
    yield { kind: 'waiting', what: 'the last audit records to reach the kernel log' };
    // Records that came after their attempt's look: counted with the last attempt's, and shown in the summary.
    const late = await driver.kernelEvents({ bpf: runnable.some((s) => s.enforcer === 'BPF'), final: true });
    for (const note of late.notes) notes.add(note);
    if (late.events.length > 0 && attempts.length > 0) attempts[attempts.length - 1]!.events.push(...late.events);
  } finally {
    driver.close();
  }
  yield { kind: 'done', report: { attempts, missing, notes: [...notes] } };
}

/** What the processes need to find: a service-account token to steal, a file to chmod. */
function prepareGuest(): void {
  mkdirSync('/run/secrets/kubernetes.io/serviceaccount', { recursive: true });
  writeFileSync('/run/secrets/kubernetes.io/serviceaccount/token', 'eyJhbGciOiJSUzI1NiJ9.demo-token\n');
  writeFileSync('/tmp/armorkit-demo-file', 'demo\n', { mode: 0o644 });
}

/** Inside kernel-lab: the example policies on real processes, the kernel's audit lines and BPF events as ViolationEvents. */
export function kernelLabDriver(engine: Engine, repo: string): DemoDriver {
  prepareGuest();
  const cli = join(repo, 'packages/cli/dist/bin.js');
  const { files } = readInputs(['examples/policies'], repo);
  const owners = new Map(resolvePolicies(engine, files).resolved.map(({ plan }) => [plan.profileName, plan.policy]));
  const events = new KernelEvents(engine, owners);
  return {
    scenarios: DEMO_SCENARIOS,
    installed: new Set<string>(engine.enforcers),
    attempt: (scenario, { freshProcess }) => (freshProcess ? runFreshProcess(repo, cli, scenario) : runInProcess(engine, repo, scenario)),
    kernelEvents: ({ bpf, final }) => events.take({ bpf, ...(final ? { settleMs: 2000 } : {}) }),
    close: () => events.close(),
  };
}

/** Inside kernel-lab: every scenario, streamed. */
export function runDemoScenarios(engine: Engine, repo: string): AsyncGenerator<DemoStep> {
  return runDemo(kernelLabDriver(engine, repo));
}

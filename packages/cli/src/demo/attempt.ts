import { spawn } from 'node:child_process';
import type { Engine } from '@armorkit/core';
import { runCommand } from '../commands/run.js';
import { UsageError } from '../io.js';
import type { DemoScenario } from './scenarios.js';

/** How an attempt was run: a fresh `armorkit run` process (what users type), or `run` called in the demo's own process. */
export type AttemptProcess = 'fresh process' | 'in process';

export interface AttemptOutcome {
  result: 'allowed' | 'denied' | 'not applied';
  exitCode: number | null;
  /** Why it was denied or not applied: the command's own error line, or armorkit's reason. */
  detail: string;
  /** What armorkit applied (`AppArmor: profile ... loaded ...`), from its `armorkit:` lines. */
  applied: string[];
  process: AttemptProcess;
  durationMs: number;
}

/** A fresh `armorkit run` under TCG pays Node start-up and plugin loading: minutes when the host is busy. */
const freshProcessTimeoutMs = 300_000;

/** The `armorkit run` arguments of a scenario: what the demo shows and what it runs. */
export function runArguments(scenario: DemoScenario): string[] {
  return ['run', '--policy', scenario.policy, '--enforcer', scenario.enforcer.toLowerCase(), '--', ...scenario.command];
}

/** Reads what `armorkit run` wrote on stderr: its own `armorkit:` lines, then the command's. */
export function attemptOutcome(exitCode: number | null, stderr: string, how: AttemptProcess, durationMs: number): AttemptOutcome {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const own = lines.filter((l) => l.startsWith('armorkit: ')).map((l) => l.slice('armorkit: '.length));
  // `armorkit run` says on stderr when it could not apply the enforcer; anything else is the command's own outcome.
  const notApplied = /^armorkit: (?:.* not applied: (.*)|(no enforcer .*))$/m.exec(stderr);
  const output = lines.filter((l) => !l.startsWith('armorkit: '));
  // The line that says why (Permission denied, Operation not permitted, PermissionError), else the first one.
  const reason = output.find((l) => /denied|not permitted|PermissionError|cannot/i.test(l)) ?? output[0] ?? '';
  const applied = own.filter((l) => !/ not applied: |^no enforcer /.test(l));
  if (notApplied || exitCode === null) {
    return { result: 'not applied', exitCode, detail: notApplied?.[1] ?? notApplied?.[2] ?? 'timed out', applied, process: how, durationMs };
  }
  return { result: exitCode === 0 ? 'allowed' : 'denied', exitCode, detail: reason.trim(), applied, process: how, durationMs };
}

/** The scenario through a new `node armorkit run ...` process, as a user runs it. */
export function runFreshProcess(repo: string, cli: string, scenario: DemoScenario): Promise<AttemptOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...runArguments(scenario)], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), freshProcessTimeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(attemptOutcome(null, `armorkit: ${scenario.enforcer} not applied: cannot start node: ${error.message}`, 'fresh process', Date.now() - started));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(attemptOutcome(signal === 'SIGKILL' ? null : code, stderr, 'fresh process', Date.now() - started));
    });
  });
}

/** The scenario through `armorkit run`'s own code in this process: the same steps, without a Node start-up under TCG. */
export async function runInProcess(engine: Engine, repo: string, scenario: DemoScenario): Promise<AttemptOutcome> {
  const started = Date.now();
  let stderr = '';
  const io = {
    cwd: repo,
    out: () => undefined,
    err: (text: string) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
    commandOutput: { stdout: () => undefined, stderr: (chunk: string) => (stderr += chunk) },
  };
  try {
    const exitCode = await runCommand(engine, scenario.command, { policy: [scenario.policy], enforcer: [scenario.enforcer.toLowerCase()] }, io);
    return attemptOutcome(exitCode, stderr, 'in process', Date.now() - started);
  } catch (error) {
    // A usage error is the demo's own mistake (a scenario naming a missing file); it must show, not crash the run.
    const message = error instanceof UsageError ? error.message : String(error);
    return attemptOutcome(null, `${stderr}armorkit: ${scenario.enforcer} not applied: ${message}\n`, 'in process', Date.now() - started);
  }
}

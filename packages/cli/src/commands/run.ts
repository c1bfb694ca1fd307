import { checkPlan, type ConfinementReport, type ConfinementStep, type Engine, failureMessage } from '@armorkit/core';
import { describeEvent } from '../demo/format.js';
import { spawnConfined } from '../confined-spawn.js';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { formatProblems, readBehaviorModels } from '../pipeline.js';
import { parseEnforcers } from './compile.js';
import { readCombinedPolicy } from './one-policy.js';

export interface RunOptions {
  /** Policy files; their policies (or those --name names) apply together. */
  policy: string[];
  container?: string;
  enforcer?: string[];
  name?: string[];
  model?: string[];
}

/**
 * `armorkit run --policy FILE... -- CMD...`: compile the policy (KubeArmor policies given together are merged into
 * one, as KubeArmor merges those selecting a container), apply every enforcer this kernel supports, run the
 * command confined, and pass its exit code through. Says plainly which enforcers could not be applied.
 */
export async function runCommand(engine: Engine, argv: readonly string[], options: RunOptions, io: CliIO): Promise<number> {
  if (argv.length === 0) throw new UsageError('run: give the command after --, e.g. armorkit run --policy p.yaml -- sh -c "id"');
  const { policy, errors: parseErrors } = readCombinedPolicy(engine, options, io.cwd);
  if (!policy) {
    for (const line of formatProblems(parseErrors)) io.err(line);
    return EXIT.invalid;
  }
  const containers = policy.spec.target.containers ?? [];
  if (options.container && containers.length > 0 && !containers.includes(options.container)) {
    throw new UsageError(`policy ${policy.name} applies to containers ${containers.join(', ')}, not to ${options.container}`);
  }

  const { plan, errors } = engine.resolve(policy, readBehaviorModels(options.model, io.cwd));
  if (!plan) {
    for (const line of formatProblems(errors)) io.err(line);
    return EXIT.invalid;
  }
  const only = parseEnforcers(options.enforcer);
  const checked = await checkPlan(engine, plan, only ? { enforcers: only } : {});
  // What `compile` would warn of (a rule an enforcer cannot log as the dialect would, ...), before the command runs.
  for (const line of formatProblems([...plan.warnings, ...checked.warnings], 'warning')) io.err(line);
  if (checked.errors.length > 0) {
    for (const line of formatProblems(checked.errors)) io.err(line);
    return EXIT.invalid;
  }

  const steps: ConfinementStep[] = [];
  const shown: Promise<void>[] = [];
  // Until every step is cleaned up, a signal must not end armorkit before its finally (namespaces, rules, processes):
  // the command gets it (spawnConfined forwards it) and the run ends when the command does.
  const holdSignal = (): void => undefined;
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, holdSignal);
  try {
    for (const artifact of checked.artifacts) {
      const confinement = await engine.confine(artifact);
      if (!confinement.ok) {
        io.err(`armorkit: ${artifact.enforcer} not applied: ${failureMessage(confinement)}`);
      } else {
        io.err(`armorkit: ${artifact.enforcer}: ${confinement.value.summary}`);
        steps.push(confinement.value);
        const reports = confinement.value.reports;
        if (reports) shown.push(showReports(artifact.enforcer, reports, io));
      }
    }
    if (steps.length === 0) {
      io.err(`armorkit: no enforcer of ${plan.profileName} can be applied on this machine; not running the command unconfined`);
      return EXIT.usage;
    }
    return await spawnConfined(steps, argv, { cwd: io.cwd, ...(io.commandOutput ? { output: io.commandOutput } : {}) });
  } finally {
    for (const step of steps) await step.cleanup?.();
    await Promise.all(shown);
    for (const signal of signals) process.off(signal, holdSignal);
  }
}

/** Each report of a step on stderr as it comes: an event as `armorkit audit` would describe it, or a message. */
async function showReports(enforcer: string, reports: AsyncIterable<ConfinementReport>, io: CliIO): Promise<void> {
  for await (const report of reports) {
    io.err(report.kind === 'event' ? `armorkit: event  ${describeEvent(report.event)}` : `armorkit: ${enforcer}: ${report.text}`);
  }
}

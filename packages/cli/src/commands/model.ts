import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type AuditSource, checkPlan, type ConfinementStep, type Engine, type Enforcer, failureMessage, type Plan } from '@armorkit/core';
import { AuditLogDecoder, type ViolationEvent } from '@armorkit/core/audit';
import { type DynamicResult, ModelRecorder, formatModel, mergeDynamicResults, modelDocument, modelSummary } from '@armorkit/core/model';
import { spawnConfined } from '../confined-spawn.js';
import { parseDuration } from '../duration.js';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { KernelLogFollower } from '../kernel-log-follower.js';
import { formatProblems, readBehaviorModels } from '../pipeline.js';
import { readOnePolicy } from './one-policy.js';
import { writeFilesAtomically } from '../write-atomic.js';

export interface ModelOptions {
  policy: string;
  name?: string;
  out: string;
  duration?: string;
  model?: string[];
  auditLog?: string;
  progress?: string;
}

/** vArmor sets printk_ratelimit to 0 while it models: complain-mode records come in bursts and printk drops them. */
const PRINTK_RATELIMIT = '/proc/sys/kernel/printk_ratelimit';
/** kauditd prints records after the syscall returned: the last ones of the command arrive a moment after it exits. */
const SETTLE_MS = 1000;

/** What the policy's mode records: BehaviorModeling, or DefenseInDepth with allowViolations growing a model. */
function checkModellingMode(plan: Plan): void {
  const { mode } = plan.policy.spec.policy;
  if (mode === 'BehaviorModeling') return;
  if (mode === 'DefenseInDepth' && plan.policy.spec.policy.defenseInDepth?.allowViolations === true) {
    if (!plan.behaviorModel) throw new UsageError(`--model: policy ${plan.policy.name} builds on a behaviour model; give the model to grow with --model`);
    return;
  }
  throw new UsageError(
    `--policy: policy ${plan.policy.name} is in mode ${mode}; armorkit model records under mode BehaviorModeling (or DefenseInDepth with allowViolations: true, to grow a model)`,
  );
}

function durationOf(plan: Plan, options: ModelOptions): number | undefined {
  if (options.duration !== undefined) {
    const ms = parseDuration(options.duration);
    if (ms === undefined || ms <= 0) throw new UsageError(`--duration: expected a duration such as 30s, 5m or 1h (a bare number is minutes), got "${options.duration}"`);
    return ms;
  }
  const minutes = plan.policy.spec.policy.modelingOptions?.duration;
  return minutes === undefined ? undefined : minutes * 60_000;
}

function setPrintkRatelimit(value: string): string | undefined {
  try {
    const before = readFileSync(PRINTK_RATELIMIT, 'utf8').trim();
    writeFileSync(PRINTK_RATELIMIT, value);
    return before;
  } catch {
    return undefined; // not root, or no procfs: records may be dropped under load, as the summary then shows
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `armorkit model --policy FILE --out MODEL.yaml [--duration D] -- CMD...`: runs the command under the policy's
 * modelling profiles (AppArmor complain, seccomp LOG, BPF complain), records what they let through until it exits or
 * the duration ends, and writes the ArmorProfileModel; `armorkit run --model MODEL.yaml` then enforces it.
 */
export async function modelCommand(engine: Engine, argv: readonly string[], options: ModelOptions, io: CliIO): Promise<number> {
  if (argv.length === 0) throw new UsageError('model: give the command after --, e.g. armorkit model --policy p.yaml --out m.yaml -- python3 -m http.server');
  const progressMs = options.progress === undefined ? 5000 : (parseDuration(options.progress) ?? NaN);
  if (!Number.isFinite(progressMs) || progressMs <= 0) throw new UsageError(`--progress: expected a duration such as 5s, got "${options.progress}"`);
  const { policy, errors: parseErrors } = readOnePolicy(engine, options, io.cwd);
  if (!policy) {
    for (const line of formatProblems(parseErrors)) io.err(line);
    return EXIT.invalid;
  }
  const { plan, errors } = engine.resolve(policy, readBehaviorModels(options.model, io.cwd));
  if (!plan) {
    for (const line of formatProblems(errors)) io.err(line);
    return EXIT.invalid;
  }
  checkModellingMode(plan);
  const duration = durationOf(plan, options);
  const checked = await checkPlan(engine, plan);
  if (checked.errors.length > 0) {
    for (const line of formatProblems(checked.errors)) io.err(line);
    return EXIT.invalid;
  }

  const steps: ConfinementStep[] = [];
  const channels: AuditSource[] = [];
  let follower: KernelLogFollower | undefined;
  let printk: string | undefined;
  const stopChannels = new AbortController();
  try {
    for (const artifact of checked.artifacts) {
      const confinement = await engine.confine(artifact);
      if (!confinement.ok) {
        io.err(`armorkit: ${artifact.enforcer} not applied: ${failureMessage(confinement)}`);
        continue;
      }
      io.err(`armorkit: ${artifact.enforcer}: ${confinement.value.summary}`);
      steps.push(confinement.value);
    }
    const applied = new Set<Enforcer>(steps.map((step) => step.enforcer));
    if (applied.size === 0) {
      io.err(`armorkit: no enforcer of ${plan.profileName} can be applied on this machine; nothing to record`);
      return EXIT.usage;
    }

    let observeFailure: string | undefined;
    const recorder = new ModelRecorder({
      profileName: plan.profileName,
      observe: (event) => {
        const observed = engine.observe(event);
        if (observed.ok) return observed.value;
        observeFailure ??= failureMessage(observed);
        return [];
      },
      // seccomp's records name a profile only through AppArmor's label of the task, and the filter holds from the
      // helper that installs it on: its exec and aa-exec's syscalls run unlabelled (subj=unconfined) before the
      // command's exec enters the profile, and enforcing needs them too (found by the http.server kernel-lab test).
      ...(applied.has('Seccomp') ? { unattributed: ['Seccomp'] as const } : {}),
    });
    const perEnforcer = new Map<Enforcer, number>();
    const take = (event: ViolationEvent) => {
      if (recorder.record(event)) perEnforcer.set(event.enforcer, (perEnforcer.get(event.enforcer) ?? 0) + 1);
    };

    // Kernel log: AppArmor and seccomp records.
    if (applied.has('AppArmor') || applied.has('Seccomp')) {
      const logPath = options.auditLog ?? '/dev/kmsg';
      const decoder = new AuditLogDecoder(engine.auditRecords, { source: logPath });
      follower = new KernelLogFollower(logPath, (chunk) => {
        for (const event of decoder.push(chunk)) take(event);
      });
      try {
        follower.start();
      } catch (error) {
        throw new UsageError(`--audit-log: cannot read ${logPath}: ${(error as Error).message}`);
      }
      printk = setPrintkRatelimit('0');
    }
    // The enforcers' own channels: the BPF ring buffer.
    const reading: Promise<void>[] = [];
    if (applied.has('BPF')) {
      const source = await engine.openAuditSource('BPF');
      if (!source.ok) throw new UsageError(`BPF: its events cannot be read: ${failureMessage(source)}`);
      channels.push(source.value);
      reading.push(
        (async () => {
          for await (const event of source.value.events({ follow: true, signal: stopChannels.signal })) take(event);
        })(),
      );
    }

    const started = Date.now();
    const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
    const counts = () => [...perEnforcer].map(([enforcer, count]) => `${enforcer} ${count}`).join(', ') || 'none yet';
    io.err(`armorkit: modelling ${plan.profileName} ${duration === undefined ? 'until the command exits' : `for ${duration / 1000} s or until the command exits`}`);
    const progress = setInterval(() => io.err(`armorkit: ${seconds()} s, ${recorder.events} events recorded (${counts()})`), progressMs);
    const timeUp = new AbortController();
    const timer = duration === undefined ? undefined : setTimeout(() => timeUp.abort(), duration);
    let status: number;
    try {
      status = await spawnConfined(steps, argv, { cwd: io.cwd, ...(io.commandOutput ? { output: io.commandOutput } : {}), signal: timeUp.signal });
    } finally {
      clearInterval(progress);
      if (timer) clearTimeout(timer);
    }
    await sleep(SETTLE_MS);
    follower?.poll();
    stopChannels.abort();
    await Promise.all(reading);

    const how = timeUp.signal.aborted ? `the duration ended (command stopped, exit ${status})` : `the command exited with ${status}`;
    io.err(`armorkit: ${how} after ${seconds()} s; ${recorder.events} events recorded (${counts()}), ${recorder.skipped} of other profiles or not allowed`);
    if (observeFailure) io.err(`armorkit: some events could not be read: ${observeFailure}`);
    const recorded = recorder.dynamicResult();
    if (recorder.events === 0) {
      io.err(`armorkit: nothing was recorded for ${plan.profileName}, so no model was written (are the audit records reaching ${options.auditLog ?? '/dev/kmsg'}?)`);
      return EXIT.invalid;
    }
    const base: DynamicResult | undefined = plan.behaviorModel?.data?.dynamicResult;
    const dynamicResult = base ? mergeDynamicResults(base, recorded) : recorded;
    const document = modelDocument({
      profileName: plan.profileName,
      ...(policy.clusterScoped ? {} : { namespace: policy.namespace }),
      dynamicResult,
    });
    const out = resolve(io.cwd, options.out);
    const written = writeFilesAtomically(dirname(out), [{ name: basename(out), content: formatModel(document) }]);
    if (!written.ok) throw new UsageError(`--out: cannot write ${written.failure.path}: ${written.failure.reason}`);
    for (const row of modelSummary(dynamicResult)) {
      io.err(`  ${row.enforcer}: ${Object.entries(row.entries).map(([what, count]) => `${count} ${what}`).join(', ')}`);
    }
    io.err(`armorkit: wrote ${options.out}${base ? ' (merged with the model given)' : ''}; enforce it with a DefenseInDepth policy: armorkit run --policy P --model ${options.out} -- CMD`);
    return EXIT.ok;
  } finally {
    follower?.stop();
    if (printk !== undefined) setPrintkRatelimit(printk);
    stopChannels.abort();
    for (const channel of channels) channel.close();
    for (const step of steps) await step.cleanup?.();
  }
}

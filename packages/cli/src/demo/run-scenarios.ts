import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Engine, failureMessage, resolvePolicies } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { readInputs } from '../inputs.js';

import { readKernelMessages } from '@armorkit/kernel-lab';
import { DEMO_SCENARIOS, type DemoScenario } from './scenarios.js';

export interface ScenarioOutcome {
  scenario: DemoScenario;
  result: 'allowed' | 'denied' | 'not applied';
  exitCode: number | null;
  detail: string;
}

export interface DemoReport {
  outcomes: ScenarioOutcome[];
  events: ViolationEvent[];
  /** Enforcers no installed plugin handles here. */
  missing: string[];
  /** Event channels that could not be read. */
  notes: string[];
}

/** What the processes need to find: a service-account token to steal, a file to chmod. */
function prepareGuest(): void {
  mkdirSync('/run/secrets/kubernetes.io/serviceaccount', { recursive: true });
  writeFileSync('/run/secrets/kubernetes.io/serviceaccount/token', 'eyJhbGciOiJSUzI1NiJ9.demo-token\n');
  writeFileSync('/tmp/armorkit-demo-file', 'demo\n', { mode: 0o644 });
}

function runScenario(repo: string, cli: string, scenario: DemoScenario): ScenarioOutcome {
  const run = spawnSync(
    process.execPath,
    [cli, 'run', '--policy', scenario.policy, '--enforcer', scenario.enforcer.toLowerCase(), '--', ...scenario.command],
    { cwd: repo, encoding: 'utf8', timeout: 120_000 },
  );
  // `armorkit run` says on stderr when it could not apply the enforcer; anything else is the command's own outcome.
  const notApplied = /^armorkit: (?:.* not applied: (.*)|(no enforcer .*))$/m.exec(run.stderr);
  const output = run.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('armorkit: '));
  // The line that says why (Permission denied, Operation not permitted, PermissionError), else the first one.
  const firstLine = output.find((l) => /denied|not permitted|PermissionError|cannot/i.test(l)) ?? output[0] ?? '';
  if (notApplied || run.status === null) {
    return { scenario, result: 'not applied', exitCode: run.status, detail: notApplied?.[1] ?? notApplied?.[2] ?? 'timed out' };
  }
  return { scenario, result: run.status === 0 ? 'allowed' : 'denied', exitCode: run.status, detail: firstLine.trim() };
}

/** Inside kernel-lab: every scenario through the real `armorkit run`, then the kernel's audit lines as events. */
export async function runDemoScenarios(engine: Engine, repo: string): Promise<DemoReport> {
  prepareGuest();
  const cli = join(repo, 'packages/cli/dist/bin.js');
  const installed = new Set<string>(engine.enforcers);
  const missing = [...new Set(DEMO_SCENARIOS.map((s) => s.enforcer))].filter((e) => !installed.has(e));
  const before = readKernelMessages().length;
  const outcomes = DEMO_SCENARIOS.filter((s) => installed.has(s.enforcer)).map((s) => runScenario(repo, cli, s));

  const { files } = readInputs(['examples/policies'], repo);
  const owners = new Map(resolvePolicies(engine, files).resolved.map(({ plan }) => [plan.profileName, plan.policy]));
  const decoded: ViolationEvent[] = [];
  // Audit records reach the kernel log through kauditd, a moment after the syscall that caused them.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const line of readKernelMessages().slice(before)) {
    const event = engine.decodeAudit({ line, source: '/dev/kmsg' });
    if (event) decoded.push(event);
  }
  // BPF-LSM reports through its ring buffer, not the kernel log.
  const channelSources: string[] = [];
  if (outcomes.some((o) => o.scenario.enforcer === 'BPF')) {
    const source = await engine.openAuditSource('BPF');
    if (!source.ok) {
      channelSources.push(`BPF events not read: ${failureMessage(source)}`);
    } else {
      try {
        for await (const event of source.value.events({ follow: false })) decoded.push(event);
      } finally {
        source.value.close();
      }
    }
  }
  const events = decoded.map((event) => {
    const policy = owners.get(event.profileName);
    return policy
      ? { ...event, policyKind: policy.kind, policyName: policy.name, policyNamespace: policy.clusterScoped ? '' : policy.namespace }
      : event;
  });
  return { outcomes, events, missing, notes: channelSources };
}

/** A BPF event's operation and object: `File read /etc/hostname`, `Capability net_raw`, `Mount tmpfs none`. */
function bpfWhat(detail: Record<string, unknown>): string {
  const socket = detail.socket as Record<string, unknown> | undefined;
  const address = detail.address as Record<string, unknown> | undefined;
  if (detail.operation === 'Mount') return `Mount ${String(detail.type)} ${String(detail.path)}`;
  const object =
    detail.path !== undefined
      ? `${Array.isArray(detail.permissions) ? detail.permissions.join(',') + ' ' : ''}${String(detail.path)}`
      : detail.capability !== undefined
        ? String(detail.capability)
        : socket
          ? `${String(detail.type)} ${String(socket.domain)}/${String(socket.type)}/${String(socket.protocol)}`
          : address
            ? `${String(detail.type)} ${String(address.ip)}:${String(address.port)}`
            : String(detail.permission ?? detail.type ?? '');
  return `${String(detail.operation ?? '')} ${object}`.trim();
}

function describeEvent(event: ViolationEvent): string {
  const detail = event.event as Record<string, unknown>;
  const what =
    event.enforcer === 'AppArmor'
      ? `${detail.operation ?? ''} ${detail.name ?? detail.capname ?? detail.family ?? ''}`.trim()
      : event.enforcer === 'BPF'
        ? bpfWhat(detail)
        : `${detail.syscallName ?? detail.syscall ?? ''}`;
  const policy = event.policyName ? `${event.policyKind} ${event.policyNamespace ? event.policyNamespace + '/' : ''}${event.policyName}` : event.profileName || 'unconfined';
  return `${event.enforcer.padEnd(8)} ${event.action.padEnd(13)} ${String(event.pid).padStart(6)} ${String(detail.comm ?? '').padEnd(10)} ${what}  (${policy})`;
}

export function formatDemoReport(report: DemoReport): string {
  const lines: string[] = [];
  const width = Math.max(...report.outcomes.map((o) => o.scenario.attempt.length), 10);
  lines.push(`${'enforcer'.padEnd(9)}${'attempt'.padEnd(width + 2)}${'expected'.padEnd(10)}${'result'.padEnd(13)}`);
  for (const outcome of report.outcomes) {
    const ok = outcome.result === outcome.scenario.expected;
    lines.push(
      `${outcome.scenario.enforcer.padEnd(9)}${outcome.scenario.attempt.padEnd(width + 2)}${outcome.scenario.expected.padEnd(10)}${outcome.result.padEnd(13)}${ok ? 'ok' : 'UNEXPECTED'}${outcome.result === 'allowed' ? '' : `  ${outcome.detail}`}`,
    );
  }
  for (const enforcer of report.missing) lines.push(`${enforcer.padEnd(9)}(no plugin for ${enforcer} is installed: skipped)`);
  lines.push('', `audited by the kernel (/dev/kmsg and the BPF ring buffer → ViolationEvent): ${report.events.length} event(s)`);
  for (const note of report.notes) lines.push(`  (${note})`);
  for (const event of report.events) lines.push(`  ${describeEvent(event)}`);
  const unexpected = report.outcomes.filter((o) => o.result !== o.scenario.expected).length;
  lines.push('', unexpected === 0 ? `all ${report.outcomes.length} attempts behaved as the policies say` : `${unexpected} attempt(s) did not behave as expected`);
  return lines.join('\n');
}

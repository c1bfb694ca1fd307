import type { ViolationEvent } from '@armorkit/core/audit';
import { runArguments } from './attempt.js';
import type { AttemptReport, DemoReport } from './run-scenarios.js';

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

/** A proxy event's connection or request: `http GET allowed.example/public → 10.0.0.2:80, rule /spec/...`. */
function proxyWhat(detail: Record<string, unknown>): string {
  const name = detail.host ?? detail.serverName;
  const request = detail.layer === 'http' ? ` ${String(detail.method)} ${name === undefined ? '' : String(name)}${String(detail.path)}` : name === undefined ? '' : ` ${String(name)}`;
  const reason = detail.reason === 'policy' ? `rule ${String(detail.rule)}` : String(detail.reason);
  return `${String(detail.layer)}${request} → ${String(detail.destination)}, ${reason}`;
}

export function describeEvent(event: ViolationEvent): string {
  const detail = event.event;
  if (event.enforcer === 'NetworkProxy') return `${event.enforcer} ${event.action.padEnd(13)} ${proxyWhat(detail)}  (${event.profileName})`;
  const what =
    event.enforcer === 'AppArmor'
      ? `${String(detail.operation ?? '')} ${String(detail.name ?? detail.capname ?? detail.family ?? '')}`.trim()
      : event.enforcer === 'BPF'
        ? bpfWhat(detail)
        : `${String(detail.syscallName ?? detail.syscall ?? '')}`;
  const policy = event.policyName ? `${event.policyKind} ${event.policyNamespace ? event.policyNamespace + '/' : ''}${event.policyName}` : event.profileName || 'unconfined';
  return `${event.enforcer.padEnd(8)} ${event.action.padEnd(13)} ${String(event.pid).padStart(6)} ${String(detail.comm ?? '').padEnd(10)} ${what}  (${policy})`;
}

/** allowed / denied, and `audited` when the kernel reported the attempt. */
function verdict(attempt: AttemptReport): string {
  return attempt.events.length > 0 && attempt.outcome.result !== 'not applied' ? `${attempt.outcome.result}, audited` : attempt.outcome.result;
}

export function behavedAsExpected(attempt: AttemptReport): boolean {
  return attempt.outcome.result === attempt.scenario.expected;
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

/** One attempt, printed as soon as it finished: what was tried under which policy, what happened, what the kernel said. */
export function formatAttempt(attempt: AttemptReport): string {
  const { scenario, outcome } = attempt;
  const counter = `[${String(attempt.index).padStart(String(attempt.total).length)}/${attempt.total}]`;
  const lines = [
    `${counter} ${scenario.enforcer.padEnd(8)} ${scenario.attempt}: expected ${scenario.expected}, ${verdict(attempt)}  ${behavedAsExpected(attempt) ? 'ok' : 'UNEXPECTED'}`,
  ];
  const indent = ' '.repeat(counter.length + 1);
  const how = outcome.process === 'fresh process' ? 'a fresh process' : "run's code in the demo's process";
  lines.push(`${indent}policy   ${scenario.policy}`);
  lines.push(`${indent}command  armorkit ${runArguments(scenario).join(' ')}  (${how}, ${seconds(outcome.durationMs)})`);
  for (const applied of outcome.applied) lines.push(`${indent}applied  ${applied}`);
  if (outcome.result !== 'allowed' && outcome.detail !== '') lines.push(`${indent}${outcome.result === 'denied' ? 'said    ' : 'why     '} ${outcome.detail}`);
  if (attempt.events.length === 0) lines.push(`${indent}kernel   no events`);
  for (const event of attempt.events) lines.push(`${indent}kernel   ${describeEvent(event)}`);
  return lines.join('\n');
}

/** After the last attempt: the table of every attempt, every event, and the verdict. */
export function formatDemoReport(report: DemoReport): string {
  const lines: string[] = [];
  const width = Math.max(...report.attempts.map((a) => a.scenario.attempt.length), 10);
  lines.push(`${'enforcer'.padEnd(9)}${'attempt'.padEnd(width + 2)}${'expected'.padEnd(10)}${'result'.padEnd(18)}`);
  for (const attempt of report.attempts) {
    const { scenario, outcome } = attempt;
    lines.push(
      `${scenario.enforcer.padEnd(9)}${scenario.attempt.padEnd(width + 2)}${scenario.expected.padEnd(10)}${verdict(attempt).padEnd(18)}${behavedAsExpected(attempt) ? 'ok' : 'UNEXPECTED'}${outcome.result === 'allowed' ? '' : `  ${outcome.detail}`}`,
    );
  }
  for (const enforcer of report.missing) lines.push(`${enforcer.padEnd(9)}(no plugin for ${enforcer} is installed: skipped)`);
  const events = report.attempts.flatMap((a) => a.events);
  lines.push('', `audited by the kernel (/dev/kmsg and the BPF ring buffer → ViolationEvent): ${events.length} event(s)`);
  for (const note of report.notes) lines.push(`  (${note})`);
  for (const event of events) lines.push(`  ${describeEvent(event)}`);
  const unexpected = report.attempts.filter((a) => !behavedAsExpected(a)).length;
  lines.push('', unexpected === 0 ? `all ${report.attempts.length} attempts behaved as the policies say` : `${unexpected} attempt(s) did not behave as expected`);
  return lines.join('\n');
}

/** Exit status of the demo: every attempt as the policy says. */
export function demoSucceeded(report: DemoReport): boolean {
  return report.attempts.every(behavedAsExpected);
}

import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { AUDIT_LINE_MAX_BYTES, AuditLogDecoder, fileSink, LOG_QUIET, logFileChunks, streamSink, type ViolationEvent, type ViolationSink } from '@armorkit/core/audit';
import { type Enforcer, type Engine, type PolicyIR, resolvePolicies } from '@armorkit/core';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { readInputs } from '../inputs.js';
import { openChannels, readChannels } from './audit-channels.js';
import { parseEnforcers } from './compile.js';
import { KERNEL_LOG_ENFORCERS } from '../default-engine.js';

export interface AuditOptions {
  policies?: string[];
  log?: string;
  /** varmor (default) or kubearmor. */
  format?: string;
  follow?: boolean;
  quiet?: boolean;
  /** Enforcers whose own event channel is read too (`bpf`). */
  source?: string[];
}

/**
 * The enforcers whose plugins `audit` needs: those that read kernel log records and those of the --source channels;
 * undefined (every plugin) with --policies, whose policies may use any enforcer.
 */
export function auditEnforcers(options: Pick<AuditOptions, 'policies' | 'source'>): Enforcer[] | undefined {
  if ((options.policies ?? []).length > 0) return undefined;
  return [...new Set([...KERNEL_LOG_ENFORCERS, ...(parseEnforcers(options.source) ?? [])])];
}

/**
 * profileName → the policy that produced it, from the policies given with --policies; and, for a dialect that merges
 * its policies (KubeArmor), the merge of all of them, so the events of `run` with the same policies are named too.
 */
function policyOwners(engine: Engine, paths: readonly string[], io: CliIO): Map<string, PolicyIR> {
  const owners = new Map<string, PolicyIR>();
  if (paths.length === 0) return owners;
  const { files, problems } = readInputs(paths, io.cwd);
  if (problems.length > 0) throw new UsageError(`--policies: ${problems.join('; ')}`);
  const byDialect = new Map<string, PolicyIR[]>();
  for (const { plan } of resolvePolicies(engine, files).resolved) {
    owners.set(plan.profileName, plan.policy);
    byDialect.set(plan.policy.dialect, [...(byDialect.get(plan.policy.dialect) ?? []), plan.policy]);
  }
  // Policies that cannot apply together (vArmor's, two namespaces') have no merged profile to name.
  for (const policies of byDialect.values()) {
    const merged = policies.length > 1 ? engine.combine(policies).policy : undefined;
    if (merged) owners.set(merged.profileName, merged);
  }
  return owners;
}

/** The formats events are written in: vArmor's violations.log lines, or KubeArmor's alerts (`karmor logs --json`). */
export const AUDIT_FORMATS = ['varmor', 'kubearmor'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

function auditFormat(format: string | undefined): AuditFormat {
  const found = AUDIT_FORMATS.find((one) => one === (format ?? 'varmor'));
  if (!found) throw new UsageError(`--format: ${JSON.stringify(format)} is not one of ${AUDIT_FORMATS.join(', ')}`);
  return found;
}

/**
 * KubeArmor's alert JSON lines on a stream or appended to a file: one per event KubeArmor has an operation for
 * (ptrace, mount, signal and proxy events have none and are left out).
 */
async function kubeArmorSink(destination: NodeJS.WritableStream, close: () => Promise<void>): Promise<ViolationSink> {
  const { kubeArmorAlertLine } = await import('@armorkit/plugin-kubearmor/alerts');
  const options = { hostName: hostname() };
  return {
    name: 'kubearmor',
    write: (event) => {
      const line = kubeArmorAlertLine(event, options);
      if (line !== undefined) destination.write(line);
    },
    // A reader's warning is not an alert: KubeArmor's format has no place for it, so it goes to stderr.
    warn: (warning) => process.stderr.write(`armorkit: ${warning.source}: ${warning.message}\n`),
    close,
  };
}

async function openSink(format: AuditFormat, log: string | undefined, cwd: string): Promise<ViolationSink> {
  if (format === 'varmor') return log ? fileSink({ path: resolve(cwd, log) }) : streamSink(process.stdout);
  if (!log) return kubeArmorSink(process.stdout, () => new Promise<void>((done) => process.stdout.write('', () => done())));
  mkdirSync(dirname(resolve(cwd, log)), { recursive: true });
  const file = createWriteStream(resolve(cwd, log), { flags: 'a' });
  return kubeArmorSink(file, () => new Promise<void>((done) => file.end(() => done())));
}

/**
 * `armorkit audit [FILE...|-] [--source bpf]`: kernel log lines (kern.log, dmesg, journald, audit.log, audispd) and
 * the enforcers' own channels (the BPF ring buffer) → ViolationEvents, attributed to policies given with
 * --policies, written as vArmor-compatible JSON lines to stdout or a rotated file.
 */
export async function auditCommand(engine: Engine, paths: readonly string[], options: AuditOptions, io: CliIO): Promise<number> {
  const format = auditFormat(options.format);
  const owners = policyOwners(engine, options.policies ?? [], io);
  // Standard input is the default only when nothing else was asked for.
  const sources = paths.length === 0 && (options.source ?? []).length === 0 ? ['-'] : paths;
  for (const source of sources) {
    if (source !== '-') {
      try {
        statSync(resolve(io.cwd, source));
      } catch {
        throw new UsageError(`${source}: no such file`);
      }
    }
  }
  const channels = await openChannels(engine, options.source);
  const sink = await openSink(format, options.log, io.cwd);
  // Sinks a plugin or config tapped get every event through the engine's audit hook; with none, events go straight
  // to the sink (a promise per event costs more than writing its line).
  const otherSinks = engine.hooks.audit.taps.length > 0;
  engine.hooks.audit.tap('cli-sink', (event) => sink.write(event));

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const counts = { lines: 0, overLong: 0, events: 0, DENIED: 0, AUDIT: 0, ALLOWED: 0, 'AUDIT|ALLOWED': 0 };
  const attribute = (decoded: ViolationEvent): ViolationEvent => {
    const owner = owners.size > 0 ? owners.get(decoded.profileName) : undefined;
    const event = owner ? engine.attribute(decoded, owner) : decoded;
    counts.events++;
    counts[event.action]++;
    return event;
  };
  const deliver = async (decoded: ViolationEvent) => {
    await engine.emit(attribute(decoded));
  };
  const deliverAll = async (events: ViolationEvent[]) => {
    if (otherSinks) for (const event of events) await deliver(event);
    else for (const event of events) sink.write(attribute(event));
  };
  const readLines = async () => {
    for (const source of sources) {
      // Files split on `\n` alone (a CR stays in the line); stdin on `\n`, `\r\n` and `\r`, as node:readline does.
      const decoder = new AuditLogDecoder(engine.auditRecords, {
        breaks: source === '-' ? 'readline' : 'newline',
        source,
        onWarning: (warning) => {
          counts.overLong++;
          sink.warn(warning);
        },
      });
      const chunks: AsyncIterable<Buffer> = source === '-' ? process.stdin : logFileChunks(resolve(io.cwd, source), { follow: options.follow ?? false, signal: abort.signal });
      let counted = 0;
      for await (const chunk of chunks) {
        const events = chunk === LOG_QUIET ? decoder.flush() : await decoder.pushAsync(chunk);
        counts.lines += decoder.lines - counted;
        counted = decoder.lines;
        await deliverAll(events);
      }
      const events = decoder.end();
      counts.lines += decoder.lines - counted;
      await deliverAll(events);
    }
  };
  try {
    await Promise.all([readLines(), readChannels(channels, { follow: options.follow ?? false, signal: abort.signal }, deliver)]);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sink.close();
  }
  if (!options.quiet) {
    const overLong = counts.overLong > 0 ? `; ${counts.overLong} line(s) longer than ${AUDIT_LINE_MAX_BYTES} bytes skipped` : '';
    io.err(
      `${counts.lines} line(s), ${counts.events} violation event(s): ${counts.DENIED} DENIED, ${counts.AUDIT} AUDIT, ${counts.ALLOWED} ALLOWED, ${counts['AUDIT|ALLOWED']} AUDIT|ALLOWED${overLong}`,
    );
  }
  return EXIT.ok;
}

import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AUDIT_LINE_MAX_BYTES, AuditLogDecoder, fileSink, streamSink, type ViolationEvent, type ViolationSink } from '@armorkit/core/audit';
import { type Enforcer, type Engine, resolvePolicies } from '@armorkit/core';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { readInputs } from '../inputs.js';
import { openChannels, readChannels } from './audit-channels.js';
import { parseEnforcers } from './compile.js';
import { KERNEL_LOG_ENFORCERS } from '../default-engine.js';

export interface AuditOptions {
  policies?: string[];
  log?: string;
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

type Owner = Pick<ViolationEvent, 'policyKind' | 'policyName' | 'policyNamespace'>;

/** profileName → the policy that produced it, from the policies given with --policies. */
function policyOwners(engine: Engine, paths: readonly string[], io: CliIO): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  if (paths.length === 0) return owners;
  const { files, problems } = readInputs(paths, io.cwd);
  if (problems.length > 0) throw new UsageError(`--policies: ${problems.join('; ')}`);
  for (const { plan } of resolvePolicies(engine, files).resolved) {
    const policy = plan.policy;
    owners.set(plan.profileName, {
      policyKind: policy.kind,
      policyName: policy.name,
      policyNamespace: policy.clusterScoped ? '' : policy.namespace,
    });
  }
  return owners;
}

/** How often a follower looks at the file again (`tail -F` checks once a second). */
const FOLLOW_POLL_MS = 250;

/**
 * The bytes of a file from the start, then (with follow) the bytes appended later, like `tail -F`: a file that got
 * shorter (truncated) or is another file now (rotated: another inode) is read again from its start, and a file that
 * is missing for a moment (between a rotation's rename and the new file) is waited for. Polling the size closes the
 * gap a change notification leaves between reading to the end and starting to listen.
 */
async function* fileChunks(path: string, follow: boolean, signal: AbortSignal): AsyncGenerator<Buffer> {
  let offset = 0;
  let inode: number | undefined;
  for (;;) {
    const stat = currentStat(path, follow);
    if (stat) {
      if (stat.size < offset || (inode !== undefined && stat.ino !== inode)) offset = 0;
      inode = stat.ino;
      if (stat.size > offset) {
        const stream: Readable = createReadStream(path, { start: offset, end: stat.size - 1, highWaterMark: CHUNK_BYTES });
        for await (const chunk of stream) yield chunk as Buffer;
        offset = stat.size;
      }
    }
    if (!follow || signal.aborted) break;
    yield QUIET;
    try {
      await sleep(FOLLOW_POLL_MS, undefined, { signal });
    } catch {
      break; // aborted
    }
  }
}

/** What fileChunks yields when it has read to the end and waits: the decoder hands out what it held back. */
const QUIET = Buffer.alloc(0);

/** The file's size and inode; while following, undefined when it is missing for now. */
function currentStat(path: string, follow: boolean): { size: number; ino: number } | undefined {
  try {
    const { size, ino } = statSync(path);
    return { size, ino };
  } catch (error) {
    if (follow && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}

/** Large reads: lines are split on the bytes, and fewer, larger chunks cost less per line. */
const CHUNK_BYTES = 1 << 20;

/**
 * `armorkit audit [FILE...|-] [--source bpf]`: kernel log lines (kern.log, dmesg, journald, audit.log, audispd) and
 * the enforcers' own channels (the BPF ring buffer) → ViolationEvents, attributed to policies given with
 * --policies, written as vArmor-compatible JSON lines to stdout or a rotated file.
 */
export async function auditCommand(engine: Engine, paths: readonly string[], options: AuditOptions, io: CliIO): Promise<number> {
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
  const sink: ViolationSink = options.log ? fileSink({ path: resolve(io.cwd, options.log) }) : streamSink(process.stdout);
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
    const event = owner ? { ...decoded, ...owner } : decoded;
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
      const chunks: AsyncIterable<Buffer> = source === '-' ? process.stdin : fileChunks(resolve(io.cwd, source), options.follow ?? false, abort.signal);
      let counted = 0;
      for await (const chunk of chunks) {
        const events = chunk === QUIET ? decoder.flush() : await decoder.pushAsync(chunk);
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

import { stat } from 'node:fs/promises';
import { type AuditSource, type Engine, failureMessage } from '@armorkit/core';
import { AuditLogDecoder, fileSink, LOG_QUIET, logFileChunks, type ViolationEvent } from '@armorkit/core/audit';

// violations.log on the node, as vArmor's agent writes it (reference §7): the kernel's audit lines (AppArmor and
// seccomp, from the first of audit.log / kern.log that exists, read from its end on, following rotation) and the
// BPF ring buffer, decoded by the engine's audit records, each event given its pod, container, namespace and node.

/** vArmor's `--auditLogPaths` default: audit.log when auditd runs, else the kernel log. */
export const DEFAULT_AUDIT_LOGS = ['/var/log/audit/audit.log', '/var/log/kern.log'];

/** Who an event is about: the container's pod and the policy of its profile. */
export interface EventAttribution {
  podUID?: string;
  podName?: string;
  podNamespace?: string;
  containerID?: string;
  containerName?: string;
  image?: string;
  policyKind?: string;
  policyName?: string;
  policyNamespace?: string;
}

export interface ViolationLogOptions {
  engine: Engine;
  node: string;
  /** Where violations.log is written (rotated at 10 MB, 3 kept, as vArmor). */
  path: string;
  /** Candidate audit logs; the first that exists is followed. */
  auditLogs: readonly string[];
  /** Read the BPF ring buffer too (when the BPF enforcer is available here). */
  bpf: boolean;
  /** The pod and policy of an event (from its pid, mount namespace and profile name). */
  attribute: (event: ViolationEvent) => Promise<EventAttribution>;
  /** Events a behaviour modeller records are its, not violations (as vArmor's auditor routes them): true keeps one out of the log. */
  take?: (event: ViolationEvent, attribution: EventAttribution) => boolean;
  log: (line: string) => void;
  /** How often the audit log's size is looked at (ms). Default 250. */
  pollInterval?: number;
}

export interface ViolationLog {
  /** Which sources are followed (for the log and the readiness body). */
  readonly sources: string[];
  /** Events written so far. */
  written(): number;
  stop(): Promise<void>;
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    if (await stat(path).then(() => true, () => false)) return path;
  }
  return undefined;
}

/** Starts following the sources; events go to violations.log until `stop`. */
export async function startViolationLog(options: ViolationLogOptions): Promise<ViolationLog> {
  const sink = fileSink({ path: options.path });
  const abort = new AbortController();
  const sources: string[] = [];
  let count = 0;
  // Events are written in the order they come; attribution may read /proc, so it is awaited one at a time.
  let queue: Promise<void> = Promise.resolve();
  const deliver = (event: ViolationEvent) => {
    queue = queue.then(async () => {
      const attribution = await options.attribute(event).catch(() => ({}));
      if (options.take?.(event, attribution)) return;
      sink.write({ ...event, ...attribution, nodeName: options.node });
      count += 1;
    });
    return queue;
  };
  const tasks: Promise<void>[] = [];
  const logPath = await firstExisting(options.auditLogs);
  if (logPath) {
    sources.push(logPath);
    tasks.push(followLog(options.engine, logPath, options.pollInterval ?? 250, abort.signal, deliver, options.log));
  } else options.log(`no audit log to follow (none of ${options.auditLogs.join(', ')} exists): AppArmor and seccomp violations are not logged`);
  let channel: AuditSource | undefined;
  if (options.bpf) {
    const opened = await options.engine.openAuditSource('BPF');
    if (opened.ok) {
      channel = opened.value;
      sources.push(channel.description);
      const events = channel.events({ follow: true, signal: abort.signal });
      tasks.push(
        (async () => {
          for await (const event of events) await deliver(event);
        })().catch((error: unknown) => options.log(`BPF events: ${error instanceof Error ? error.message : String(error)}`)),
      );
    } else options.log(`BPF events are not read: ${failureMessage(opened)}`);
  }
  return {
    sources,
    written: () => count,
    async stop() {
      abort.abort();
      channel?.close();
      await Promise.allSettled(tasks);
      await queue;
      await sink.close();
    },
  };
}

/** The events of the lines appended to `path` from now on (rotation and truncation followed: logFileChunks). */
async function followLog(engine: Engine, path: string, interval: number, signal: AbortSignal, deliver: (event: ViolationEvent) => Promise<void>, log: (line: string) => void): Promise<void> {
  const decoder = new AuditLogDecoder(engine.auditRecords, { source: path, onWarning: (warning) => log(`${path}: ${warning.message}`) });
  try {
    for await (const chunk of logFileChunks(path, { follow: true, from: 'end', signal, pollMs: interval })) {
      for (const event of chunk === LOG_QUIET ? decoder.flush() : decoder.push(chunk)) await deliver(event);
    }
  } catch (error) {
    log(`${path} is no longer followed: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const event of decoder.end()) await deliver(event);
}

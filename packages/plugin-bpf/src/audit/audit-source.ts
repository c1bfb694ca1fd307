import { setTimeout as sleep } from 'node:timers/promises';
import { type AuditSource, type Result, fail, ok } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { loaderError } from '../errors.js';
import { BpfEnforcer } from '../loader/enforcer.js';
import { bpfLsmProblem } from '../loader/lsm-status.js';
import { BpfAuditReader } from './ring-buffer.js';

/** How often a follower looks at the ring buffer when it was empty. */
const POLL_MS = 200;

/**
 * The BPF-LSM events of this host, read from the ring buffer of the attached programs: never attaches anything.
 * The ring buffer has one reader at a time in effect: what one reader consumes, another does not see.
 */
export function openBpfAuditSource(options: { pinDirectory?: string; lsmPath?: string } = {}): Result<AuditSource> {
  const problem = bpfLsmProblem(options.lsmPath ? { lsmPath: options.lsmPath } : {});
  if (problem) return fail([loaderError(problem)]);
  const opened = BpfEnforcer.openAttached(options.pinDirectory ? { pinDirectory: options.pinDirectory } : {});
  if (!opened.ok) return fail([loaderError(opened.error, ' (no BPF profile has been applied since boot)')]);
  const enforcer = opened.value;
  const reader = BpfAuditReader.open(enforcer);
  if (!reader.ok) {
    enforcer.close();
    return fail([loaderError(reader.error)]);
  }
  return ok({
    enforcer: 'BPF',
    description: `the BPF-LSM ring buffer pinned at ${enforcer.pinDirectory}`,
    events: ({ follow, signal }) => drainEvents(reader.value, follow, signal),
    close: () => {
      reader.value.close();
      enforcer.close();
    },
  });
}

async function* drainEvents(reader: BpfAuditReader, follow: boolean, signal: AbortSignal | undefined): AsyncGenerator<ViolationEvent> {
  for (;;) {
    const events = reader.drain();
    yield* events;
    if (!follow || signal?.aborted) return;
    if (events.length > 0) continue;
    try {
      await sleep(POLL_MS, undefined, signal ? { signal } : {});
    } catch {
      return; // aborted while waiting
    }
  }
}

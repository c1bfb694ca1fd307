import { type AuditSource, type Engine, failureMessage } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { UsageError } from '../io.js';
import { parseEnforcers } from './compile.js';

/**
 * `--source bpf`: the enforcers' own event channels (the BPF ring buffer). Each must open, or the command stops
 * with the reason (BPF-LSM not active, no programs attached): a reader that silently reads nothing would look
 * like a quiet node.
 */
export async function openChannels(engine: Engine, values: readonly string[] | undefined): Promise<AuditSource[]> {
  const enforcers = parseEnforcers(values) ?? [];
  const channels: AuditSource[] = [];
  for (const enforcer of new Set(enforcers)) {
    const source = await engine.openAuditSource(enforcer);
    if (!source.ok) {
      for (const open of channels) open.close();
      throw new UsageError(`--source ${enforcer.toLowerCase()}: ${failureMessage(source)}`);
    }
    channels.push(source.value);
  }
  return channels;
}

/** Every event of the channels (concurrently, so one that waits does not hold up the others), then closes them. */
export async function readChannels(
  channels: readonly AuditSource[],
  options: { follow: boolean; signal: AbortSignal },
  onEvent: (event: ViolationEvent) => Promise<void>,
): Promise<void> {
  try {
    await Promise.all(
      channels.map(async (channel) => {
        for await (const event of channel.events(options)) await onEvent(event);
      }),
    );
  } finally {
    for (const channel of channels) channel.close();
  }
}

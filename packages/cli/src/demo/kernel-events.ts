import { setTimeout as sleep } from 'node:timers/promises';
import { type Engine, type PolicyIR, failureMessage } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { readKernelMessages } from '@armorkit/kernel-lab';

/** What the kernel reported since the last look. */
export interface KernelEventBatch {
  events: ViolationEvent[];
  /** Channels that could not be read, and why. */
  notes: string[];
}

/** Audit records reach the kernel log through kauditd, a moment after the syscall: wait until the log is quiet this long. */
const quietMs = 200;
const settleLimitMs = 1500;
/** How long `take` keeps looking for what the caller expects: under TCG and load a report may come after the log is quiet. */
const expectLimitMs = 10_000;
/** How often it looks again meanwhile. */
const expectPollMs = 100;

export interface TakeOptions {
  /** The attempt may have written to the BPF ring buffer. */
  bpf: boolean;
  /** The longest wait for the kernel log to be quiet. */
  settleMs?: number;
  /** What the caller expects among the events: keep reading the kernel log and the ring buffer until it holds, or `limitMs` passes. */
  until?: (events: readonly ViolationEvent[]) => boolean;
  /** How long to wait for `until` (10 s by default). */
  limitMs?: number;
}

/**
 * The kernel's reports of the demo's attempts, taken after each one: new /dev/kmsg lines (AppArmor, seccomp) decoded
 * by the engine, and the BPF-LSM ring buffer, opened once the first BPF profile has attached the programs. Each event
 * is named after the policy that owns its profile.
 */
export class KernelEvents {
  private seen: number;
  private bpf: { drain(): Promise<ViolationEvent[]>; close(): void } | undefined;
  private bpfProblem: string | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly owners: ReadonlyMap<string, PolicyIR>,
  ) {
    this.seen = readKernelMessages().length;
  }

  /** The events since the last call: once the kernel log is quiet, or, with `until`, once they hold what the caller expects. */
  async take(options: TakeOptions): Promise<KernelEventBatch> {
    const batch = await this.look(options.bpf, options.settleMs ?? settleLimitMs);
    const { until } = options;
    if (!until) return batch;
    const deadline = Date.now() + (options.limitMs ?? expectLimitMs);
    while (!until(batch.events) && Date.now() < deadline) {
      await sleep(expectPollMs);
      const more = await this.look(options.bpf, 0);
      batch.events.push(...more.events);
      batch.notes = more.notes;
    }
    return batch;
  }

  private async look(bpf: boolean, settleMs: number): Promise<KernelEventBatch> {
    const lines = await this.newKernelLines(settleMs);
    const events: ViolationEvent[] = [];
    for (const line of lines) {
      const event = this.engine.decodeAudit({ line, source: '/dev/kmsg' });
      if (event) events.push(event);
    }
    const notes: string[] = [];
    if (bpf) {
      // Until a BPF profile has attached the programs there is no ring buffer: try again on the next look.
      if (!this.bpf) await this.openBpf();
      if (this.bpf) events.push(...(await this.bpf.drain()));
      else if (this.bpfProblem !== undefined) notes.push(`BPF events not read: ${this.bpfProblem}`);
    }
    return { events: events.map((event) => this.named(event)), notes };
  }

  close(): void {
    this.bpf?.close();
  }

  private async newKernelLines(limitMs: number): Promise<string[]> {
    const deadline = Date.now() + limitMs;
    let messages = readKernelMessages();
    let quietSince = Date.now();
    while (Date.now() < deadline && Date.now() - quietSince < quietMs) {
      await sleep(50);
      const now = readKernelMessages();
      if (now.length !== messages.length) quietSince = Date.now();
      messages = now;
    }
    const lines = messages.slice(this.seen);
    this.seen = messages.length;
    return lines;
  }

  /** BPF-LSM reports through its ring buffer, not the kernel log. */
  private async openBpf(): Promise<void> {
    const source = await this.engine.openAuditSource('BPF');
    if (!source.ok) {
      this.bpfProblem = failureMessage(source);
      return;
    }
    const channel = source.value;
    this.bpfProblem = undefined;
    this.bpf = {
      drain: async () => {
        const events: ViolationEvent[] = [];
        for await (const event of channel.events({ follow: false })) events.push(event);
        return events;
      },
      close: () => channel.close(),
    };
  }

  private named(event: ViolationEvent): ViolationEvent {
    const policy = this.owners.get(event.profileName);
    return policy ? this.engine.attribute(event, policy) : event;
  }
}

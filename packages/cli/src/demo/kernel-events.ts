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

  /** The events since the last call; `bpf` when the attempt may have written to the BPF ring buffer. */
  async take(options: { bpf: boolean; settleMs?: number }): Promise<KernelEventBatch> {
    const lines = await this.newKernelLines(options.settleMs ?? settleLimitMs);
    const events: ViolationEvent[] = [];
    for (const line of lines) {
      const event = this.engine.decodeAudit({ line, source: '/dev/kmsg' });
      if (event) events.push(event);
    }
    const notes: string[] = [];
    if (options.bpf) {
      if (!this.bpf && this.bpfProblem === undefined) await this.openBpf();
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

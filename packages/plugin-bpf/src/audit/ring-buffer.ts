import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import koffi from 'koffi';
import type { ViolationEvent } from '@armorkit/core/audit';
import type { BpfEnforcer } from '../loader/enforcer.js';
import { type Libbpf, libbpf } from '../loader/libbpf.js';
import { type LoaderOutcome, fail, succeed } from '../loader/loader-error.js';
import { violationFromRecord } from './decode-event.js';
import { parseEventRecord } from './event-record.js';

/** btime of /proc/stat: when the machine booted, in Unix seconds. */
export function bootTime(stat = '/proc/stat'): number {
  const match = /^btime (\d+)$/m.exec(readFileSync(stat, 'utf8'));
  return match?.[1] ? Number(match[1]) : 0;
}

/**
 * Reads the programs' audit events from their ring buffer (libbpf ring_buffer__consume, records copied out in
 * a koffi callback) and turns them into ViolationEvents.
 */
export class BpfAuditReader {
  private closed = false;

  private constructor(
    private readonly records: Buffer[],
    private readonly library: Libbpf,
    private readonly ring: unknown,
    private readonly callback: unknown,
    private readonly enforcer: BpfEnforcer,
    private readonly boot: number,
  ) {}

  static open(enforcer: BpfEnforcer): LoaderOutcome<BpfAuditReader> {
    const library = libbpf();
    if ('problem' in library) return fail('bpf-libbpf-missing', library.problem);
    const records: Buffer[] = [];
    // The record is only valid during the callback: copy it out.
    const callback = koffi.register((_context: unknown, data: unknown, size: number | bigint) => {
      records.push(Buffer.from(new Uint8Array(koffi.view(data, Number(size)))));
      return 0;
    }, koffi.pointer(library.sampleCallback));
    const ring = library.ringBufferNew(enforcer.eventsFd, callback);
    if (!ring) {
      koffi.unregister(callback as bigint);
      return fail('bpf-ring-buffer-failed', `cannot open the audit ring buffer (errno ${library.errno()})`);
    }
    return succeed(new BpfAuditReader(records, library, ring, callback, enforcer, bootTime()));
  }

  /** The events written since the last call, oldest first. */
  drain(): ViolationEvent[] {
    if (this.closed) return [];
    this.library.ringBufferConsume(this.ring);
    const nodeName = hostname();
    // Looking a name up costs a few map syscalls; a burst of events comes from few namespaces.
    const names = new Map<number, string | undefined>();
    const profileName = (ns: number) => {
      if (!names.has(ns)) names.set(ns, this.enforcer.profileName(ns));
      return names.get(ns);
    };
    return this.records.splice(0).flatMap((bytes) => {
      const record = parseEventRecord(bytes);
      if (!record) return [];
      return [violationFromRecord(record, { bootTime: this.boot, nodeName, profileName })];
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.library.ringBufferFree(this.ring);
    koffi.unregister(this.callback as bigint);
  }
}

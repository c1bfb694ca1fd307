import type { ViolationEvent } from '@armorkit/core/audit';
import type { BehaviorObservation } from '@armorkit/core/model';

/** A seccomp LOG record (seccompAuditRecord's event) → the syscall the workload made, by the name the record resolved. */
export function seccompObservations(event: ViolationEvent): BehaviorObservation[] {
  const { syscall, seccompAction } = event.event;
  if (seccompAction !== 'LOG' && seccompAction !== 'ALLOW') return [];
  // A number the tables did not know (another ABI) cannot go into a profile by name.
  return typeof syscall === 'string' && /^[a-z_][a-z0-9_]*$/.test(syscall) ? [{ kind: 'syscall', name: syscall }] : [{ kind: 'unhandled', what: `syscall ${String(syscall)}` }];
}

/**
 * What one event says the workload did, in the model's terms (reference §5.3), independent of how the enforcer
 * reported it. Each enforcer's plugin reads its own events into these (its backend's `observe`); the recorder only
 * sees observations, so core never re-parses an AppArmor record or a BPF ring-buffer event.
 */
export type BehaviorObservation =
  | { kind: 'execution'; path: string }
  /**
   * `permissions`: AppArmor's letters (`m r w a l k`) or BPF's names (`read`, `write`, `append`); `owner`: the
   * file belonged to the task's fsuid (AppArmor only).
   */
  | { kind: 'file'; path: string; permissions: readonly string[]; owner: boolean }
  | { kind: 'capability'; name: string }
  | { kind: 'socket'; domain: string; type: string; protocol: string }
  | { kind: 'egress'; ip: string; port: number }
  | { kind: 'ptrace'; peer?: string; permissions: readonly string[]; external?: boolean }
  | { kind: 'signal'; peer: string; permissions: readonly string[]; signals: readonly string[] }
  /** `path`: the mount point (AppArmor) or the source (BPF); `flags`: names, `umount` for an unmount. */
  | { kind: 'mount'; path: string; type?: string; flags: readonly string[] }
  | { kind: 'syscall'; name: string }
  /** An event the enforcer reported but the model has no field for (its operation). */
  | { kind: 'unhandled'; what: string };

export type ObservationKind = BehaviorObservation['kind'];

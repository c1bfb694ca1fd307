import type { Enforcer } from '../enforcer.js';
import type { ProfileMode } from '../plan.js';
import type { ViolationEvent } from '../audit/event.js';
import type { ArtifactData } from './artifact-data.js';

/** A file an enforcer produces: written by `compile --out` as `<profileName>.<suffix>`. */
export interface ArtifactFile {
  /** `apparmor`, `seccomp.json`, `bpf.json`, ... */
  suffix: string;
  content: string;
}

/**
 * What compile produces for one enforcer: files to write and the enforcer's own structured form, whose type the
 * enforcer's plugin declares in ArtifactDataMap (so `Artifact<'AppArmor'>['data']` is the AppArmor plugin's data).
 */
export interface Artifact<E extends Enforcer = Enforcer> {
  enforcer: E;
  profileName: string;
  profileMode: ProfileMode;
  files: ArtifactFile[];
  data: ArtifactData<E>;
}

/**
 * What an enforcer's artifact decides, for `armorkit explain`: its entries in the order the enforcer evaluates them,
 * each with the JSON pointer of the policy field it comes from (absent for a default).
 */
export interface ArtifactExplanation {
  /** What the entries are (`decision table, in evaluation order`). */
  heading: string;
  entries: { text: string; pointer?: string }[];
}

/** Where a profile is loaded: this host (optionally one mount namespace), or a kubelet directory. */
export interface LoadTarget {
  kind: 'host';
  /** Directory profiles are written to before loading (AppArmor: /etc/apparmor.d). */
  directory?: string;
  /** BPF: the mount namespace id the profile applies to. */
  mountNamespace?: number;
  /**
   * BPF: the pod's own addresses (at most one IPv4 and one IPv6), for egress rules to `pod-self`. Absent: left as
   * they are; empty: cleared.
   */
  podAddresses?: readonly string[];
}

export interface LoadResult {
  enforcer: Enforcer;
  profileName: string;
  /** What was done, for people (`loaded varmor-demo-demo-1 (enforce) with apparmor_parser -r`). */
  summary: string;
}

/** A profile an enforcer holds on a target now (what `loaded` lists). */
export interface LoadedProfile {
  profileName: string;
  /** BPF: the mount namespace the profile is applied to. */
  mountNamespace?: number;
}

/**
 * How one enforcer confines a command run on this machine (`armorkit run`): it may load its profile, then wraps
 * the command. Steps compose: the command line is step 1's prefix, step 2's prefix, ..., the command.
 */
export interface ConfinementStep {
  enforcer: Enforcer;
  /**
   * Where the step goes in the chain, outermost first: a step that needs privileges or a namespace of its own comes
   * before one that takes privileges away. Official plugins: NetworkProxy -10 (enters the run's network namespace,
   * drops the capabilities that would undo the capture rules), BPF 0 (new mount namespace, loads its profile), seccomp
   * 10 (installs the filter, then execs the rest), AppArmor 20 (`aa-exec`: the profile attaches at the command's exec,
   * which is allowed under no_new_privs because aa-exec itself is still unconfined).
   */
  stage: number;
  /** For people: what was applied (`seccomp filter of 412 instructions via bwrap`). */
  summary: string;
  /** Data the wrapper reads (a compiled filter, encoded rule tables): written to private files for the run. */
  inputs?: Buffer[];
  /** Words placed before the command, given the paths the inputs were written to. */
  prefix(inputFiles: readonly string[]): string[];
  /** Undoes what was loaded for the run (temporary profiles). */
  cleanup?(): Promise<void>;
  /**
   * What the step's enforcer reports while the command runs (a proxy's decisions, its messages), as they happen;
   * the iteration ends once cleanup has stopped what reports them. `run` shows each one.
   */
  reports?: AsyncIterable<ConfinementReport>;
}

/** One thing a confinement step reports during the run: a violation event, or a message for people. */
export type ConfinementReport = { kind: 'event'; event: ViolationEvent } | { kind: 'notice'; text: string };

/**
 * Events an enforcer reports through a channel of its own rather than log lines (the BPF ring buffer): what
 * `armorkit audit --source <enforcer>` reads.
 */
export interface AuditSource {
  enforcer: Enforcer;
  /** Where the events come from, for people (`the BPF-LSM ring buffer pinned at /sys/fs/bpf/armorkit`). */
  description: string;
  /** The events waiting now; with `follow`, then each new one until the signal aborts. */
  events(options: { follow: boolean; signal?: AbortSignal }): AsyncIterable<ViolationEvent>;
  /** Lets go of the channel (the events already read are gone from it). */
  close(): void;
}

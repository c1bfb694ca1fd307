import { armorNodeStatusSchema, type NodeProfileFailure } from '../node-status/schema.js';
import type { ProfileHistory } from './profile-history.js';

/** `<namespace>/<name>` of an ArmorProfile: how node reports and the controller refer to one. */
export const profileKeyOf = (namespace: string, name: string) => `${namespace}/${name}`;

interface NodeEntry {
  heartbeat: number;
  /** The step of the history this node has reached; -1 before its set was ever known. */
  step: number;
  /** The set it reported, while the history does not know it (the controller's watch is behind the agent's). */
  unknownSet: string | undefined;
  failed: Map<string, NodeProfileFailure>;
}

/** What a change of one ArmorNodeStatus (or of the history) affected. */
export interface ReportChange {
  /** ArmorProfiles whose state on the node may have changed (not to be changed: it may be the history's). */
  profiles: ReadonlySet<string>;
  /** Every profile's may have (a node started or stopped counting, or moved further than the history remembers). */
  all: boolean;
}

const none = (): ReportChange => ({ profiles: new Set(), all: false });

/**
 * The ArmorNodeStatus objects, kept current from watch events, read against the ProfileHistory: each event costs the
 * size of that one (small) report and the steps it moved over, and a profile's state on the nodes is read from each
 * live node's step and failures, without any list of profiles per node.
 */
export class NodeReports {
  private readonly nodes = new Map<string, NodeEntry>();
  /** Nodes that list a failure: the only ones a profile's failures are looked for on. */
  private readonly failing = new Set<string>();
  /** Bumped whenever a node's step changes; the sorted steps of the live nodes are kept until it does. */
  private stepsChanged = 0;
  private sortedSteps: { live: ReadonlySet<string>; version: number; steps: Float64Array } | undefined;
  /** The nodes at each step (a wave has few distinct steps): the lowest step a live node is at, without a scan of the nodes. */
  private readonly atStep = new Map<number, Set<string>>();
  /** The nodes whose reported set the history does not know yet, by that set's hash. */
  private readonly ahead = new Map<string, Set<string>>();
  /** liveNodes() is asked once per reconcile: kept until a report changes or the next heartbeat ages out. */
  private live: { nodes: Set<string>; from: number; until: number } | undefined;

  constructor(
    private readonly history: ProfileHistory,
    /** A node whose heartbeat is older than this (ms) has no agent any more (it is gone, or its agent is). */
    private readonly staleAfter: number,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** An ArmorNodeStatus was added or modified; one that does not parse counts as no report (its agent is broken). */
  update(object: unknown, now: number): ReportChange {
    const parsed = armorNodeStatusSchema.safeParse(object);
    if (!parsed.success) {
      const name = typeof object === 'object' && object !== null && 'metadata' in object && typeof object.metadata === 'object' && object.metadata !== null && 'name' in object.metadata ? object.metadata.name : undefined;
      this.log(`ArmorNodeStatus ${String(name)} is ignored: ${parsed.error.issues.map((issue) => `/${issue.path.join('/')}: ${issue.message}`).join('; ')}`);
      return typeof name === 'string' ? this.remove(name, now) : none();
    }
    const node = parsed.data.metadata.name;
    const status = parsed.data.status;
    const heartbeat = status ? Date.parse(status.heartbeatTime) : Number.NaN;
    const before = this.nodes.get(node);
    const wasLive = before !== undefined && this.isLive(before, now);
    const known = status ? this.history.stepOf(status.appliedSet) : undefined;
    const entry: NodeEntry = {
      heartbeat: Number.isNaN(heartbeat) ? 0 : heartbeat,
      step: known ?? before?.step ?? -1,
      unknownSet: status && known === undefined ? status.appliedSet : undefined,
      failed: new Map((status?.failed ?? []).map((failure) => [profileKeyOf(failure.namespace, failure.name), failure])),
    };
    this.nodes.set(node, entry);
    this.indexed(node, before, entry);
    this.track(node, before?.unknownSet, entry.unknownSet);
    const isLive = this.isLive(entry, now);
    if (wasLive !== isLive) this.live = undefined;
    else if (this.live && isLive) this.live.until = Math.min(this.live.until, entry.heartbeat + this.staleAfter);
    if (wasLive !== isLive) return { profiles: new Set(), all: true };
    return this.difference(before, entry);
  }

  /** The ArmorNodeStatus was deleted (the node left the cluster). */
  remove(node: string, now: number): ReportChange {
    const before = this.nodes.get(node);
    if (!before) return none();
    this.nodes.delete(node);
    this.indexed(node, before, undefined);
    this.track(node, before.unknownSet, undefined);
    this.live = undefined;
    return { profiles: new Set(), all: this.isLive(before, now) };
  }

  /** The history reached a new set: nodes that reported it before the controller's watch got there have reached it now. */
  historyMoved(): ReportChange {
    const hash = this.history.hash;
    const step = this.history.stepOf(hash);
    const waiting = this.ahead.get(hash);
    if (step === undefined || !waiting) return none();
    const change = { profiles: new Set<string>(), all: false };
    this.ahead.delete(hash);
    for (const node of waiting) {
      const entry = this.nodes.get(node);
      if (!entry) continue;
      const before = { ...entry };
      entry.step = step;
      this.indexed(node, before, entry);
      entry.unknownSet = undefined;
      const moved = this.difference(before, entry);
      change.all ||= moved.all;
      for (const key of moved.profiles) change.profiles.add(key);
    }
    return change;
  }

  /** The nodes with an agent now: a report with a heartbeat younger than `staleAfter`. */
  liveNodes(now: number): ReadonlySet<string> {
    if (this.live && now >= this.live.from && now < this.live.until) return this.live.nodes;
    const nodes = new Set<string>();
    let until = Number.POSITIVE_INFINITY;
    for (const [node, entry] of this.nodes) {
      if (!this.isLive(entry, now)) continue;
      nodes.add(node);
      until = Math.min(until, entry.heartbeat + this.staleAfter);
    }
    this.live = { nodes, from: now, until };
    return nodes;
  }

  /**
   * The lowest step of the live nodes: every live node has reported each profile version of that step or before
   * (loaded or failed), so nothing more is to come for them. Undefined when no node is live. O(distinct steps + stale
   * nodes at the lowest steps).
   */
  reachedByAll(now: number): number | undefined {
    for (const step of [...this.atStep.keys()].sort((a, b) => a - b)) {
      for (const node of this.atStep.get(step)!) {
        const entry = this.nodes.get(node);
        if (entry && this.isLive(entry, now)) return step;
      }
    }
    return undefined;
  }

  /** Whether a node that counted as live at the last look no longer does (its heartbeat aged out since). */
  expired(now: number): boolean {
    const before = this.live?.nodes;
    const after = this.liveNodes(now);
    if (!before) return true;
    if (before === after) return false;
    for (const node of before) if (!after.has(node)) return true;
    return false;
  }

  /** When the next live node goes stale (ms since the epoch), for a timer; undefined when none is live. */
  nextExpiry(now: number): number | undefined {
    let next: number | undefined;
    for (const entry of this.nodes.values()) {
      if (!this.isLive(entry, now)) continue;
      const expiry = entry.heartbeat + this.staleAfter;
      if (next === undefined || expiry < next) next = expiry;
    }
    return next;
  }

  /**
   * One version of a profile on the live nodes: how many applied it, and the failures of this digest. The nodes at
   * or past the step the version appeared at are counted by a binary search over their sorted steps (sorted once per
   * change of steps, not per profile), and failures are looked for on the nodes that report some: a reconcile costs
   * O(log nodes + failing nodes), so a wave's reconciles of every policy stay O(policies).
   */
  loadsOn(live: ReadonlySet<string>, profileKey: string, digest: string): { current: number; failed: { node: string; failure: NodeProfileFailure }[] } {
    const since = this.history.changedAt(profileKey);
    const failed: { node: string; failure: NodeProfileFailure }[] = [];
    let failedReached = 0;
    for (const node of this.failing) {
      const entry = this.nodes.get(node);
      const failure = entry?.failed.get(profileKey);
      if (!entry || !failure || failure.digest !== digest || !live.has(node)) continue;
      failed.push({ node, failure });
      if (entry.step >= since) failedReached += 1;
    }
    if (this.history.digestOf(profileKey) !== digest) return { current: 0, failed };
    return { current: this.countAtLeast(live, since) - failedReached, failed };
  }

  /** How many of the live nodes have reached the step. */
  private countAtLeast(live: ReadonlySet<string>, step: number): number {
    if (this.sortedSteps?.live !== live || this.sortedSteps.version !== this.stepsChanged) {
      const steps = Float64Array.from(live, (node) => this.nodes.get(node)?.step ?? -1).sort();
      this.sortedSteps = { live, version: this.stepsChanged, steps };
    }
    const { steps } = this.sortedSteps;
    let low = 0;
    let high = steps.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (steps[middle]! < step) low = middle + 1;
      else high = middle;
    }
    return steps.length - low;
  }

  /** Keeps the failing set, the nodes by step and the steps' version current as an entry comes, changes or goes. */
  private indexed(node: string, before: NodeEntry | undefined, after: NodeEntry | undefined): void {
    if (before?.step !== after?.step) {
      this.stepsChanged += 1;
      if (before) this.leaveStep(node, before.step);
      if (after) this.enterStep(node, after.step);
    }
    if (after && after.failed.size > 0) this.failing.add(node);
    else this.failing.delete(node);
  }

  private enterStep(node: string, step: number): void {
    let nodes = this.atStep.get(step);
    if (!nodes) this.atStep.set(step, (nodes = new Set()));
    nodes.add(node);
  }

  private leaveStep(node: string, step: number): void {
    const nodes = this.atStep.get(step);
    nodes?.delete(node);
    if (nodes?.size === 0) this.atStep.delete(step);
  }

  /** Whether the node may still hold some version of a profile that left the set (being deleted). */
  holds(node: string, profileKey: string): boolean {
    const entry = this.nodes.get(node);
    if (!entry) return false;
    return entry.step < this.history.changedAt(profileKey) || entry.failed.has(profileKey);
  }

  private track(node: string, before: string | undefined, after: string | undefined): void {
    if (before === after) return;
    if (before !== undefined) {
      const nodes = this.ahead.get(before);
      nodes?.delete(node);
      if (nodes?.size === 0) this.ahead.delete(before);
    }
    if (after !== undefined) {
      let nodes = this.ahead.get(after);
      if (!nodes) this.ahead.set(after, (nodes = new Set()));
      nodes.add(node);
    }
  }

  private isLive(entry: NodeEntry, now: number): boolean {
    return now - entry.heartbeat < this.staleAfter;
  }

  /** The profiles whose state on a node differs between two of its entries. */
  private difference(before: NodeEntry | undefined, after: NodeEntry): ReportChange {
    const failures = new Set<string>();
    for (const key of before?.failed.keys() ?? []) if (!after.failed.has(key)) failures.add(key);
    for (const [key, failure] of after.failed) {
      const previous = before?.failed.get(key);
      if (previous?.digest !== failure.digest || previous.message !== failure.message) failures.add(key);
    }
    const from = before?.step ?? -1;
    if (from === after.step) return { profiles: failures, all: false };
    const moved = from < 0 || after.step < 0 ? undefined : this.history.changedBetween(Math.min(from, after.step), Math.max(from, after.step));
    if (!moved) return { profiles: failures, all: true };
    return { profiles: failures.size === 0 ? moved : new Set([...moved, ...failures]), all: false };
  }
}

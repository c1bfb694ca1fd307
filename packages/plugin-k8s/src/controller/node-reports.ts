import { armorNodeStatusSchema, type NodeProfileStatus } from '../node-status/schema.js';

/** `<namespace>/<name>` of an ArmorProfile: how node reports and the controller refer to one. */
export const profileKeyOf = (namespace: string, name: string) => `${namespace}/${name}`;

interface NodeEntry {
  heartbeat: number;
  profiles: Map<string, NodeProfileStatus>;
}

/** What a change of one ArmorNodeStatus affected. */
export interface ReportChange {
  /** ArmorProfiles whose report from this node appeared, changed or went. */
  profiles: Set<string>;
  /** The node started or stopped counting as one with an agent (so every profile's desired number changed). */
  nodesChanged: boolean;
}

/**
 * The ArmorNodeStatus objects as an index by profile, kept current from watch events: each event costs the size of
 * that one node's report, and a profile's reports are read without visiting every node.
 */
export class NodeReports {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly byProfile = new Map<string, Map<string, NodeProfileStatus>>();
  /** liveNodes() is asked once per reconcile: kept until a report changes or the next heartbeat ages out. */
  private live: { nodes: Set<string>; from: number; until: number } | undefined;

  constructor(
    /** A node whose heartbeat is older than this (ms) has no agent any more (it is gone, or its agent is). */
    private readonly staleAfter: number,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** An ArmorNodeStatus was added or modified; one that does not parse counts as no report (its agent is broken). */
  update(object: unknown, now: number): ReportChange {
    const parsed = armorNodeStatusSchema.safeParse(object);
    if (!parsed.success) {
      const name = (object as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
      this.log(`ArmorNodeStatus ${String(name)} is ignored: ${parsed.error.issues.map((issue) => `/${issue.path.join('/')}: ${issue.message}`).join('; ')}`);
      return typeof name === 'string' ? this.remove(name, now) : { profiles: new Set(), nodesChanged: false };
    }
    const node = parsed.data.metadata.name;
    const status = parsed.data.status;
    const heartbeat = status ? Date.parse(status.heartbeatTime) : Number.NaN;
    const before = this.nodes.get(node);
    const wasLive = before !== undefined && this.isLive(before, now);
    const profiles = new Map((status?.profiles ?? []).map((report) => [profileKeyOf(report.namespace, report.name), report]));
    const entry: NodeEntry = { heartbeat: Number.isNaN(heartbeat) ? 0 : heartbeat, profiles };
    this.nodes.set(node, entry);
    if (wasLive !== this.isLive(entry, now)) this.live = undefined;
    else if (this.live && this.isLive(entry, now)) this.live.until = Math.min(this.live.until, entry.heartbeat + this.staleAfter);
    const changed = this.reindex(node, before?.profiles ?? new Map(), profiles);
    return { profiles: changed, nodesChanged: wasLive !== this.isLive(entry, now) };
  }

  /** The ArmorNodeStatus was deleted (the node left the cluster). */
  remove(node: string, now: number): ReportChange {
    const before = this.nodes.get(node);
    if (!before) return { profiles: new Set(), nodesChanged: false };
    this.nodes.delete(node);
    this.live = undefined;
    return { profiles: this.reindex(node, before.profiles, new Map()), nodesChanged: this.isLive(before, now) };
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

  /** Each node's report about one ArmorProfile (nodes that never mentioned it are absent). */
  reportsFor(profileKey: string): ReadonlyMap<string, NodeProfileStatus> {
    return this.byProfile.get(profileKey) ?? new Map();
  }

  private isLive(entry: NodeEntry, now: number): boolean {
    return now - entry.heartbeat < this.staleAfter;
  }

  private reindex(node: string, before: ReadonlyMap<string, NodeProfileStatus>, after: ReadonlyMap<string, NodeProfileStatus>): Set<string> {
    const changed = new Set<string>();
    for (const key of before.keys()) {
      if (after.has(key)) continue;
      changed.add(key);
      const reports = this.byProfile.get(key);
      reports?.delete(node);
      if (reports?.size === 0) this.byProfile.delete(key);
    }
    for (const [key, report] of after) {
      const previous = before.get(key);
      if (previous && previous.digest === report.digest && previous.state === report.state && previous.message === report.message) continue;
      changed.add(key);
      let reports = this.byProfile.get(key);
      if (!reports) this.byProfile.set(key, (reports = new Map()));
      reports.set(node, report);
    }
    return changed;
  }
}

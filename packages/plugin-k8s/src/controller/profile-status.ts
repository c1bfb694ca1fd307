import type { ArmorProfile } from '@armorkit/core/schema';
import type { NodeProfileStatus } from '../node-status/schema.js';

export type ArmorProfileStatus = NonNullable<ArmorProfile['status']>;
type ProfileCondition = NonNullable<ArmorProfileStatus['conditions']>[number];

/** How far one profile version has got on the nodes with an agent. */
export interface LoadAggregate {
  /** Nodes with an agent (a recent heartbeat): vArmor's desiredNumberLoaded. */
  desired: number;
  /** Of those, the nodes that loaded this version. */
  current: number;
  /** Nodes that failed this version, by name, with their agent's message. */
  failed: { node: string; message: string; since: string }[];
  /** Nodes with an agent that have not reported this version yet. */
  waiting: number;
}

/** A profile version's reports from the live nodes; reports about another digest (an older version) do not count. Pure. */
export function aggregateLoads(digest: string, reports: ReadonlyMap<string, NodeProfileStatus>, live: ReadonlySet<string>): LoadAggregate {
  const aggregate: LoadAggregate = { desired: live.size, current: 0, failed: [], waiting: 0 };
  // Over this profile's reports, not over the nodes: the cost follows what the nodes said about it.
  for (const [node, report] of reports) {
    if (!live.has(node) || report.digest !== digest) continue;
    if (report.state === 'succeeded') aggregate.current += 1;
    else aggregate.failed.push({ node, message: report.message, since: report.lastTransitionTime });
  }
  aggregate.waiting = aggregate.desired - aggregate.current - aggregate.failed.length;
  aggregate.failed.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return aggregate;
}

/** Whether any live node still has some version of the profile loaded (or failed half-way): the finalizer waits for them. */
export function nodesHolding(reports: ReadonlyMap<string, NodeProfileStatus>, live: ReadonlySet<string>): string[] {
  return [...reports.keys()].filter((node) => live.has(node)).sort();
}

/**
 * The ArmorProfile's status (vArmor §6.5): desired and current numbers, and a `Ready=False` condition per failed node
 * naming it, with its agent's message. A condition's lastTransitionTime is the node's own (when its state changed). Pure.
 */
export function armorProfileStatus(aggregate: LoadAggregate): ArmorProfileStatus {
  const conditions: ProfileCondition[] = aggregate.failed.map((failure) => ({
    type: 'Ready',
    status: 'False',
    nodeName: failure.node,
    reason: 'LoadFailed',
    message: failure.message,
    lastTransitionTime: failure.since,
  }));
  return {
    desiredNumberLoaded: aggregate.desired,
    currentNumberLoaded: aggregate.current,
    ...(conditions.length > 0 ? { conditions } : {}),
  };
}

import type { ArmorProfile } from '@armorkit/core/schema';
import type { NodeProfileFailure } from '../node-status/schema.js';

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

/** What the nodes' reports say of one profile (NodeReports). */
export interface ProfileLoads {
  loadsOn(live: ReadonlySet<string>, profileKey: string, digest: string): { current: number; failed: { node: string; failure: NodeProfileFailure }[] };
  holds(node: string, profileKey: string): boolean;
}

/** One version of a profile (its stored digest) on the live nodes: O(live nodes), whatever the number of profiles. Pure. */
export function aggregateLoads(profileKey: string, digest: string, reports: ProfileLoads, live: ReadonlySet<string>): LoadAggregate {
  const { current, failed } = reports.loadsOn(live, profileKey, digest);
  return {
    desired: live.size,
    current,
    failed: failed.map(({ node, failure }) => ({ node, message: failure.message, since: failure.lastTransitionTime })).sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0)),
    waiting: live.size - current - failed.length,
  };
}

/** The live nodes that may still have some version of a deleted profile loaded (or failed half-way): the finalizer waits for them. */
export function nodesHolding(profileKey: string, reports: ProfileLoads, live: ReadonlySet<string>): string[] {
  return [...live].filter((node) => reports.holds(node, profileKey)).sort();
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

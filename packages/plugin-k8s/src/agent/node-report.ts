import { type ArmorNodeStatus, NODE_STATUS_API_VERSION, NODE_STATUS_KIND, type NodeProfileStatus } from '../node-status/schema.js';

// The agent's report, `ArmorNodeStatus/<node>`: what the agent made of each ArmorProfile, and its enforcers. Pure:
// the same outcomes give the same object, and a report whose content did not change is not written again.

/** What the agent made of one ArmorProfile on this node. */
export interface ProfileOutcome {
  namespace: string;
  name: string;
  digest: string;
  /** Empty: every enforcer of the profile applied it. Else one reason per problem, each naming its enforcer. */
  problems: string[];
}

export interface NodeReportInput {
  node: string;
  enforcers: readonly string[];
  unavailable: Readonly<Record<string, string>>;
  outcomes: readonly ProfileOutcome[];
  /** The report written last (its lastTransitionTimes are kept while state and digest stay). */
  previous?: ArmorNodeStatus | undefined;
  now: Date;
}

const byKey = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The report for the outcomes, sorted by namespace then name, as the contract says. */
export function nodeReport(input: NodeReportInput): ArmorNodeStatus {
  const now = input.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const before = new Map((input.previous?.status?.profiles ?? []).map((entry) => [`${entry.namespace}/${entry.name}`, entry]));
  const profiles: NodeProfileStatus[] = [...input.outcomes].sort(byKey).map((outcome) => {
    const state = outcome.problems.length === 0 ? 'succeeded' : 'failed';
    const previous = before.get(`${outcome.namespace}/${outcome.name}`);
    const unchanged = previous && previous.state === state && previous.digest === outcome.digest;
    return {
      namespace: outcome.namespace,
      name: outcome.name,
      digest: outcome.digest,
      state,
      message: state === 'succeeded' ? 'Ready' : outcome.problems.join('; '),
      lastTransitionTime: unchanged ? previous.lastTransitionTime : now,
    };
  });
  const unavailable = Object.fromEntries(Object.entries(input.unavailable).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    apiVersion: NODE_STATUS_API_VERSION,
    kind: NODE_STATUS_KIND,
    metadata: { name: input.node },
    status: {
      enforcers: [...input.enforcers],
      ...(Object.keys(unavailable).length > 0 ? { unavailable } : {}),
      profiles,
      heartbeatTime: now,
    },
  };
}

/** Whether two reports say the same thing (the heartbeat aside): a report that does not is written. */
export function sameReport(a: ArmorNodeStatus | undefined, b: ArmorNodeStatus): boolean {
  if (!a?.status || !b.status) return false;
  const { heartbeatTime: _a, ...left } = a.status;
  const { heartbeatTime: _b, ...right } = b.status;
  return JSON.stringify(left) === JSON.stringify(right);
}

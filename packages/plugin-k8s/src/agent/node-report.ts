import { type ArmorNodeStatus, NODE_STATUS_API_VERSION, NODE_STATUS_KIND, type NodeProfileFailure } from '../node-status/schema.js';
import { profileSetHash } from '../node-status/profile-set.js';

// The agent's report, `ArmorNodeStatus/<node>`: the set of ArmorProfiles it processed (as a hash), the ones of them
// that failed, and its enforcers. Pure: the same outcomes give the same object, and a report whose content did not
// change is not written again.

/** What the agent made of one ArmorProfile on this node. */
export interface ProfileOutcome {
  namespace: string;
  name: string;
  /** `storedProfileDigest` of the ArmorProfile it processed. */
  digest: string;
  /** Empty: every enforcer of the profile applied it. Else one reason per problem, each naming its enforcer. */
  problems: string[];
}

export interface NodeReportInput {
  node: string;
  enforcers: readonly string[];
  unavailable: Readonly<Record<string, string>>;
  /** One per ArmorProfile of the pass (every one not being deleted): the set the report names. */
  outcomes: readonly ProfileOutcome[];
  /** The report written last (a failure's lastTransitionTime is kept while its digest stays). */
  previous?: ArmorNodeStatus | undefined;
  now: Date;
}

const byKey = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The report for the outcomes: failures sorted by namespace then name, as the contract says. */
export function nodeReport(input: NodeReportInput): ArmorNodeStatus {
  const now = input.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const before = new Map((input.previous?.status?.failed ?? []).map((entry) => [`${entry.namespace}/${entry.name}`, entry]));
  const failed: NodeProfileFailure[] = input.outcomes
    .filter((outcome) => outcome.problems.length > 0)
    .sort(byKey)
    .map((outcome) => {
      const previous = before.get(`${outcome.namespace}/${outcome.name}`);
      return {
        namespace: outcome.namespace,
        name: outcome.name,
        digest: outcome.digest,
        message: outcome.problems.join('; '),
        lastTransitionTime: previous?.digest === outcome.digest ? previous.lastTransitionTime : now,
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
      appliedSet: profileSetHash(input.outcomes.map((outcome) => [`${outcome.namespace}/${outcome.name}`, outcome.digest] as const)),
      profileCount: input.outcomes.length,
      failed,
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

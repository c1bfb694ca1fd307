// When a profile's modelling run started and when it ends, read the same way by the agents and the controller.

/**
 * Set by the controller on an ArmorProfile when it enters BehaviorModeling (RFC 3339). vArmor counts from the
 * ArmorProfile's creation, which is wrong for a policy switched to BehaviorModeling later: armorkit stamps the switch.
 */
export const MODELING_STARTED_ANNOTATION = 'armorkit.dev/modeling-started-at';

export interface ModelingSession {
  /** The start, as stamped: what parts of this run carry. */
  session: string;
  /** ms since the epoch: start + `spec.behaviorModeling.duration` minutes. */
  deadline: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The ArmorProfile's modelling run, or undefined when it is not BehaviorModeling (or has no readable start). */
export function modelingSessionOf(profile: unknown): ModelingSession | undefined {
  if (!isRecord(profile)) return undefined;
  const modeling = isRecord(profile.spec) ? profile.spec.behaviorModeling : undefined;
  if (!isRecord(modeling) || modeling.enable !== true || typeof modeling.duration !== 'number') return undefined;
  const metadata = isRecord(profile.metadata) ? profile.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const stamped = annotations[MODELING_STARTED_ANNOTATION];
  const created = metadata.creationTimestamp;
  const session = typeof stamped === 'string' ? stamped : created instanceof Date ? created.toISOString().replace(/\.\d{3}Z$/, 'Z') : created;
  if (typeof session !== 'string') return undefined;
  const start = Date.parse(session);
  if (Number.isNaN(start)) return undefined;
  return { session, deadline: start + modeling.duration * 60_000 };
}

import type { PolicyStatus } from '@armorkit/core/schema';
import type { LoadAggregate } from './profile-status.js';

type Condition = NonNullable<PolicyStatus['conditions']>[number];
type ConditionType = Condition['type'];

/** What the controller made of a policy in this pass. */
export type PolicyOutcome =
  | {
      kind: 'refused';
      /**
       * `Forbidden` (the policy does not validate), `Error` (an enforcer cannot compile it, its name is taken) or
       * `NotSupported` (a kind the cluster side cannot enforce: KubeArmorHostPolicy).
       */
      reason: 'Forbidden' | 'Error' | 'NotSupported';
      /** The problems, each with its JSON pointer. */
      message: string;
      /** The profile name when it is known (the policy parsed). */
      profileName?: string;
    }
  | {
      kind: 'waiting';
      profileName: string;
      /** Why the ArmorProfile cannot be written yet (the previous one is still being unloaded). */
      message: string;
    }
  | {
      kind: 'applied';
      profileName: string;
      /** `created` / `updated` this pass, or `unchanged`. */
      change: 'created' | 'updated' | 'unchanged';
      /** What the user should know about an update (a seccomp change needs the pods restarted). */
      updateNote?: string;
      /** `<namespace>/<name>` of the ArmorProfile. */
      profile: string;
      loads: LoadAggregate;
      /** BehaviorModeling: phase Modeling rather than Protecting once loaded. */
      modeling: boolean;
      /** BehaviorModeling: where the run's model stands; completed → phase Completed. */
      model?: { completed: boolean; message: string };
    };

/** At most this many failed nodes are named in the policy's message; the ArmorProfile has a condition for each. */
const NAMED_FAILURES = 5;

function setCondition(conditions: Condition[], previous: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: string): void {
  const before = previous.find((condition) => condition.type === next.type);
  // Kubernetes' convention: lastTransitionTime moves only when the status does.
  const lastTransitionTime = before && before.status === next.status && before.lastTransitionTime ? before.lastTransitionTime : now;
  conditions.push({ ...next, lastTransitionTime });
}

const ORDER: readonly ConditionType[] = ['Created', 'Updated', 'Ready'];

function failureMessage(loads: LoadAggregate, profile: string): string {
  const named = loads.failed.slice(0, NAMED_FAILURES).map((failure) => `node ${failure.node}: ${failure.message}`);
  const more = loads.failed.length > NAMED_FAILURES ? `; and ${loads.failed.length - NAMED_FAILURES} more nodes` : '';
  return `The agents failed processing the profile on ${loads.failed.length} of ${loads.desired} nodes (${named.join('; ')}${more}). Please refer to the status of ArmorProfile object (${profile}) for more details.`;
}

/**
 * The policy's status as vArmor defines it (§6.5): `profileName`, `phase`, `ready` and the conditions Created,
 * Updated and Ready, each with reason and message. Conditions this pass says nothing about are kept. Pure.
 */
export function policyStatus(previous: PolicyStatus | undefined, outcome: PolicyOutcome, now: string): PolicyStatus {
  const before = previous?.conditions ?? [];
  const conditions: Condition[] = [];
  const keep = (type: ConditionType) => {
    const condition = before.find((candidate) => candidate.type === type);
    if (condition) conditions.push(condition);
  };
  let phase: NonNullable<PolicyStatus['phase']>;
  let ready = false;
  const profileName = outcome.profileName ?? previous?.profileName ?? '';

  if (outcome.kind === 'refused') {
    phase = 'Error';
    // A policy never made into a profile was not Created; one that had a profile was not Updated (the old one stays).
    const created = before.find((condition) => condition.type === 'Created' && condition.status === 'True');
    if (created) {
      conditions.push(created);
      setCondition(conditions, before, { type: 'Updated', status: 'False', reason: outcome.reason, message: `${outcome.message} (the previous profile stays loaded)` }, now);
    } else setCondition(conditions, before, { type: 'Created', status: 'False', reason: outcome.reason, message: outcome.message }, now);
    setCondition(conditions, before, { type: 'Ready', status: 'False', reason: outcome.reason, message: 'the policy could not be made into a profile: see the Created or Updated condition' }, now);
  } else if (outcome.kind === 'waiting') {
    phase = 'Pending';
    keep('Created');
    keep('Updated');
    setCondition(conditions, before, { type: 'Ready', status: 'False', reason: 'Processing', message: outcome.message }, now);
  } else {
    const { loads } = outcome;
    if (outcome.change === 'created' || !before.some((condition) => condition.type === 'Created' && condition.status === 'True')) {
      setCondition(conditions, before, { type: 'Created', status: 'True', reason: 'Created', message: `ArmorProfile ${outcome.profile} created` }, now);
    } else keep('Created');
    if (outcome.change === 'updated') {
      const message = `ArmorProfile ${outcome.profile} updated${outcome.updateNote ? `; ${outcome.updateNote}` : ''}`;
      // A second update is a transition of its own even though the status stays True.
      conditions.push({ type: 'Updated', status: 'True', reason: 'Updated', message, lastTransitionTime: now });
    } else if (outcome.change === 'created') {
      // A profile made anew (the policy was recreated): an earlier Updated condition is about the previous one.
    } else {
      const updated = before.find((condition) => condition.type === 'Updated');
      // A refused update that has since been fixed without a change to the profile is no longer a failed update.
      if (updated && updated.status === 'True') conditions.push(updated);
    }
    if (outcome.model?.completed) {
      // vArmor's Completed: the model is made; the policy can be switched to DefenseInDepth with profileType BehaviorModel.
      phase = 'Completed';
      ready = true;
      setCondition(conditions, before, { type: 'Ready', status: 'True', reason: 'ModelingCompleted', message: outcome.model.message }, now);
    } else if (loads.failed.length > 0) {
      phase = 'Error';
      setCondition(conditions, before, { type: 'Ready', status: 'False', reason: 'Error', message: failureMessage(loads, outcome.profile) }, now);
    } else if (loads.desired === 0) {
      phase = 'Pending';
      setCondition(conditions, before, { type: 'Ready', status: 'False', reason: 'NoAgents', message: 'no node has an armorkit agent (no ArmorNodeStatus with a recent heartbeat)' }, now);
    } else if (loads.current >= loads.desired) {
      phase = outcome.modeling ? 'Modeling' : 'Protecting';
      ready = true;
      setCondition(conditions, before, { type: 'Ready', status: 'True', reason: 'AllAgentsReady', message: `loaded on all ${loads.desired} nodes` }, now);
    } else {
      phase = 'Pending';
      setCondition(conditions, before, { type: 'Ready', status: 'False', reason: 'Processing', message: `loaded on ${loads.current} of ${loads.desired} nodes` }, now);
    }
  }
  conditions.sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
  return { profileName, conditions, ready, phase };
}

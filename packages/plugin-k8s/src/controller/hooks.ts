// Where other parts of the manager plug into the controller (issue 15): the toServices / toPods egress resolver and
// the rolling restart of existing workloads live in their own modules (controller/egress, controller/restart).
import type { Plan } from '@armorkit/core';
import type { ArmorProfile } from '@armorkit/core/schema';
import type { PolicyKey } from './names.js';

export interface EgressResolver {
  /**
   * The ArmorProfile with the addresses of the policy's toServices / toPods egress rules filled in, from what the
   * resolver watches (EndpointSlices, Pods). Called on every reconcile of a policy; must be pure over its caches.
   */
  resolve(plan: Plan, profile: ArmorProfile): ArmorProfile;
  /** The controller's way to hear that addresses changed: the resolver calls `requeue` for each affected policy. */
  subscribe(requeue: (policy: PolicyKey) => void): void;
}

/** What happened to a policy's profile, for the rolling restart (`spec.updateExistingWorkloads`). */
export interface ProfileChange {
  policy: PolicyKey;
  plan: Plan;
  change: 'created' | 'updated';
  profile: ArmorProfile;
}

export interface ControllerHooks {
  egress?: EgressResolver;
  /** Called after the ArmorProfile was written; a rejection is logged (the restart retries on its own). */
  profileChanged?: (change: ProfileChange) => Promise<void>;
  /** Extra keys of the NetworkProxy Secret (the MITM CA and leaf, `mitm-*.crt` / `.key`), by plan. */
  proxySecretKeys?: (plan: Plan) => Promise<Record<string, string>>;
}

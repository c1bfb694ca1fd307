// What the controller tells KubeArmor's objects: their CRDs' status subresource has one string (`status.status`, Go's
// PolicyStatus, "OK" when KubeArmor applied the policy); the rest goes to Events.
import type { PolicyStatus } from '@armorkit/core/schema';
import { z } from 'zod';
import type { PolicyOutcome } from './policy-status.js';

/** The status KubeArmor's CRDs define (`status.status`). */
export const kubeArmorStatusSchema = z.object({ status: z.string().optional() });
export type KubeArmorStatus = z.infer<typeof kubeArmorStatusSchema>;

/**
 * `OK` once every node has the profile (KubeArmor's word), else the phase and why: `Pending: loaded on 1 of 3 nodes`,
 * `Error: /spec/process: ...`. Pure.
 */
export function kubeArmorStatus(status: PolicyStatus): Required<KubeArmorStatus> {
  if (status.ready) return { status: 'OK' };
  const failed = status.conditions?.find((condition) => (condition.type === 'Created' || condition.type === 'Updated') && condition.status === 'False');
  const ready = status.conditions?.find((condition) => condition.type === 'Ready');
  const message = failed?.message ?? ready?.message;
  return { status: `${status.phase ?? 'Pending'}${message ? `: ${message}` : ''}` };
}

/** The stored status as KubeArmor's CRD has it; anything else (written by hand, by another tool) counts as none. */
export function storedKubeArmorStatus(status: unknown): KubeArmorStatus {
  const parsed = kubeArmorStatusSchema.safeParse(status);
  return parsed.success && parsed.data.status !== undefined ? { status: parsed.data.status } : {};
}

/**
 * A KubeArmorHostPolicy confines the node's own processes; the node agent confines containers only, so it would load a
 * profile nothing runs under. Refused, saying so, rather than reported as enforced.
 */
export function hostPolicyNotEnforced(profileName: string): PolicyOutcome {
  return {
    kind: 'refused',
    reason: 'NotSupported',
    message: "KubeArmorHostPolicy is not enforced in a cluster: the armorkit agent confines containers, not the node's own processes, so no ArmorProfile is made (docs/kubearmor.md#in-a-cluster)",
    profileName,
  };
}

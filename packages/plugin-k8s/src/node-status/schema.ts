import { createHash } from 'node:crypto';
import { z } from 'zod';
import { kubernetesNameSchema, kubernetesNamespaceSchema, type Profile } from '@armorkit/core/schema';

// The contract between the node agents and the controller (issue 15). vArmor's agents report to the manager over a
// side channel (`POST /apis/v1/status`); armorkit reports through the API only. Each node owns one small object,
// `ArmorNodeStatus/<node>` (cluster-scoped), and only its agent writes it, so thousands of nodes never contend on
// one object: an agent makes one request per change that concerns it, and the controller aggregates from a watch.

export const NODE_STATUS_GROUP = 'armorkit.dev';
export const NODE_STATUS_VERSION = 'v1alpha1';
export const NODE_STATUS_API_VERSION = `${NODE_STATUS_GROUP}/${NODE_STATUS_VERSION}`;
export const NODE_STATUS_KIND = 'ArmorNodeStatus';
export const NODE_STATUS_PLURAL = 'armornodestatuses';

export const PROFILE_LOAD_STATES = ['succeeded', 'failed'] as const;

/** What one node did with one ArmorProfile. */
export const nodeProfileStatusSchema = z.strictObject({
  /** The ArmorProfile's namespace and name. */
  namespace: kubernetesNamespaceSchema,
  name: kubernetesNameSchema,
  /** `profileDigest(spec.profile)` of the ArmorProfile the agent applied; a report for another digest is stale. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  state: z.enum(PROFILE_LOAD_STATES),
  /** `Ready`, or the reasons joined by `; ` (each names the enforcer), as vArmor's agents report. */
  message: z.string(),
  /** RFC 3339 time of the last change of `state` or `digest`. */
  lastTransitionTime: z.string(),
});
export type NodeProfileStatus = z.infer<typeof nodeProfileStatusSchema>;

/** `ArmorNodeStatus/<node>`: the node's agent writes it, the controller reads it. */
export const armorNodeStatusSchema = z.strictObject({
  apiVersion: z.literal(NODE_STATUS_API_VERSION),
  kind: z.literal(NODE_STATUS_KIND),
  metadata: z.looseObject({ name: kubernetesNameSchema }),
  status: z
    .strictObject({
      /** Enforcers this node can apply (`AppArmor`, `BPF`, `Seccomp`, `NetworkProxy`), from the agent's own checks. */
      enforcers: z.array(z.string()),
      /** Why an enforcer is unavailable here (`BPF: the BPF LSM is not active (/sys/kernel/security/lsm)`). */
      unavailable: z.record(z.string(), z.string()).optional(),
      /** Sorted by namespace, then name. */
      profiles: z.array(nodeProfileStatusSchema),
      /** RFC 3339 time the agent last wrote the object (a node that stops writing can be told apart). */
      heartbeatTime: z.string(),
    })
    .optional(),
});
export type ArmorNodeStatus = z.infer<typeof armorNodeStatusSchema>;

/** sha256 of the profile's canonical JSON (keys sorted): what a node report refers to. */
export function profileDigest(profile: Profile): string {
  return createHash('sha256').update(canonicalJson(profile)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { kubernetesNameSchema, kubernetesNamespaceSchema } from '@armorkit/core/schema';

// The contract between the node agents and the controller (issue 15). vArmor's agents report to the manager over a
// side channel (`POST /apis/v1/status`); armorkit reports through the API only. Each node owns one small object,
// `ArmorNodeStatus/<node>` (cluster-scoped), and only its agent writes it, so thousands of nodes never contend on
// one object: an agent makes one request per change that concerns it, and the controller aggregates from a watch.
// The object does not list the profiles: it names the set the node has applied by a hash (profile-set.ts) and lists
// only the failures, so a write and its watch event stay small however many policies there are.

export const NODE_STATUS_GROUP = 'armorkit.dev';
export const NODE_STATUS_VERSION = 'v1alpha1';
export const NODE_STATUS_API_VERSION = `${NODE_STATUS_GROUP}/${NODE_STATUS_VERSION}`;
export const NODE_STATUS_KIND = 'ArmorNodeStatus';
export const NODE_STATUS_PLURAL = 'armornodestatuses';

/** A profile this node could not apply: why, for the version it tried. */
export const nodeProfileFailureSchema = z.strictObject({
  /** The ArmorProfile's namespace and name. */
  namespace: kubernetesNamespaceSchema,
  name: kubernetesNameSchema,
  /** `storedProfileDigest` of the ArmorProfile version that failed; a failure of another digest is stale. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** The reasons joined by `; `, each naming its enforcer, as vArmor's agents report them. */
  message: z.string(),
  /** RFC 3339 time this version first failed here. */
  lastTransitionTime: z.string(),
});
export type NodeProfileFailure = z.infer<typeof nodeProfileFailureSchema>;

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
      /**
       * The hash of the set of ArmorProfiles (key and digest) the agent has processed: every one not deleting, each
       * applied or listed in `failed` (node-status/profile-set.ts). The same size whatever the number of profiles.
       */
      appliedSet: z.string().regex(/^[0-9a-f]{16}$/),
      /** How many profiles that set holds (for people: `kubectl get armornodestatuses`). */
      profileCount: z.number().int().nonnegative(),
      /** The profiles of the set that failed here, sorted by namespace, then name. */
      failed: z.array(nodeProfileFailureSchema),
      /** RFC 3339 time the agent last wrote the object (a node that stops writing can be told apart). */
      heartbeatTime: z.string(),
    })
    .optional(),
});
export type ArmorNodeStatus = z.infer<typeof armorNodeStatusSchema>;

/**
 * sha256 of an ArmorProfile object's `spec.profile` as stored (canonical JSON, keys sorted), valid or not (`spec.profile`, null when absent): what the agent and
 * the controller put in the profile set, so that both hash the same set even when a profile cannot be read.
 */
export function storedProfileDigest(object: unknown): string {
  const spec = typeof object === 'object' && object !== null && 'spec' in object ? object.spec : undefined;
  const profile = typeof spec === 'object' && spec !== null && 'profile' in spec ? spec.profile : null;
  return createHash('sha256').update(canonicalJson(profile ?? null)).digest('hex');
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

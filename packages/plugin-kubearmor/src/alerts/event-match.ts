import { z } from 'zod';

/**
 * What the KubeArmor dialect adds to an event of one of its policies (`event.dialectEvent.kubearmor`): the alert
 * fields KubeArmor's matcher would fill (reference §5.1, §5.2) — the rule that matched with its severity, tags,
 * message and action, or `DefaultPosture`, or none (a log) — and the operation, resource and data of the event.
 */
export const kubeArmorEventMatchSchema = z.object({
  /** `MatchedPolicy` / `MatchedHostPolicy` (an alert), `ContainerLog` / `HostLog` (no rule: the base profile's own denial). */
  type: z.enum(['MatchedPolicy', 'MatchedHostPolicy', 'ContainerLog', 'HostLog']),
  /** The policy's `metadata.name`, `DefaultPosture`, or empty for a log. */
  policyName: z.string(),
  /** The rule's severity as text (`"5"`); empty for DefaultPosture and logs. */
  severity: z.string(),
  tags: z.array(z.string()),
  message: z.string(),
  /** The rule's action; `Block` for a denial by an Allow rule's readOnly / ownerOnly part or by the posture; empty for a log. */
  action: z.enum(['Allow', 'Audit', 'Block', '']),
  /** JSON pointer of the rule in the policy (`/spec/file/matchPaths/0`); empty when no rule matched. */
  pointer: z.string(),
  operation: z.enum(['Process', 'File', 'Network', 'Capabilities', 'Syscall']),
  resource: z.string(),
  data: z.string(),
  /** The executable that acted (a fromSource path, seccomp's exe), else the command name. */
  source: z.string(),
  /** `Passed`, or the error the operation got (`Permission denied`, `Operation not permitted`). */
  result: z.string(),
});
export type KubeArmorEventMatch = z.infer<typeof kubeArmorEventMatchSchema>;

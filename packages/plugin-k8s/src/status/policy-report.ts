// `armorkit k8s status`: per policy, its phase and readiness (the status the controller wrote) and each node's state
// for its ArmorProfile (from the ArmorNodeStatus objects the agents write). Pure: the objects in, the report out.
import { armorProfileSchema, policyStatusSchema } from '@armorkit/core/schema';
import type { KubernetesObject } from '@kubernetes/client-node';
import { isPolicyKind, POLICY_KINDS, POLICY_RESOURCES, type PolicyKind } from '../controller/names.js';
import { storedKubeArmorStatus } from '../controller/kubearmor-status.js';
import { armorNodeStatusSchema, storedProfileDigest } from '../node-status/schema.js';
import { profileSetHash } from '../node-status/profile-set.js';

/**
 * What a node did with a policy's profile: loaded this version, failed it, has not applied every current profile yet
 * (its report names the whole set it applied, so one listing cannot say which it lacks), or its agent is silent.
 */
export type NodeState = 'loaded' | 'failed' | 'waiting' | 'offline';

export interface NodeReportLine {
  node: string;
  state: NodeState;
  /** The agent's message (`Ready`, or the reasons); for `offline`, when it was last heard of. */
  message: string;
}

export interface PolicyReport {
  kind: PolicyKind;
  /** Absent for a cluster policy. */
  namespace?: string;
  name: string;
  phase: string;
  ready: boolean;
  /** The Ready condition's message (or the failed Created / Updated one). */
  message: string;
  /** `<namespace>/<name>` of its ArmorProfile; absent while there is none. */
  profile?: string;
  /** The ArmorProfile's desiredNumberLoaded / currentNumberLoaded. */
  desired: number;
  current: number;
  nodes: NodeReportLine[];
}

export interface ReportInput {
  policies: readonly KubernetesObject[];
  profiles: readonly KubernetesObject[];
  nodeStatuses: readonly unknown[];
  now: Date;
  /** A node whose heartbeat is older than this (ms) is offline (the controller's nodeTimeout). */
  staleAfter: number;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** vArmor's policies first (cluster ones first, as vArmor matches them), then KubeArmor's; by namespace and name. */
const keyOf = (report: PolicyReport) => `${POLICY_KINDS.indexOf(report.kind)}/${report.namespace ?? ''}/${report.name}`;

/**
 * Phase, readiness and message from what the controller wrote: vArmor's status (phase, conditions), or KubeArmor's
 * one field `status.status` (`OK`, or `PHASE: why`; controller/kubearmor-status.ts).
 */
function statusOf(kind: PolicyKind, stored: unknown): { phase: string; ready: boolean; message: string } {
  if (POLICY_RESOURCES[kind].dialect === 'kubearmor') {
    const text = storedKubeArmorStatus(stored).status;
    if (text === undefined) return { phase: 'Unknown', ready: false, message: 'the controller has not written a status yet' };
    if (text === 'OK') return { phase: 'OK', ready: true, message: '' };
    const colon = text.indexOf(': ');
    return colon < 0 ? { phase: text, ready: false, message: '' } : { phase: text.slice(0, colon), ready: false, message: text.slice(colon + 2) };
  }
  const status = policyStatusSchema.safeParse(stored);
  const conditions = status.success ? (status.data.conditions ?? []) : [];
  const failed = conditions.find((condition) => (condition.type === 'Created' || condition.type === 'Updated') && condition.status === 'False');
  const ready = conditions.find((condition) => condition.type === 'Ready');
  return {
    phase: (status.success && status.data.phase) || 'Unknown',
    ready: status.success && status.data.ready === true,
    message: failed?.message ?? ready?.message ?? (status.success ? '' : 'the controller has not written a status yet'),
  };
}

export function policyReports(input: ReportInput): PolicyReport[] {
  const nodes = input.nodeStatuses.flatMap((object) => {
    const parsed = armorNodeStatusSchema.safeParse(object);
    return parsed.success ? [parsed.data] : [];
  });
  // The set every node should have applied: each ArmorProfile not being deleted, at its stored digest.
  const current = input.profiles.flatMap((profile) => (profile.metadata?.deletionTimestamp ? [] : [[`${profile.metadata?.namespace ?? ''}/${profile.metadata?.name ?? ''}`, storedProfileDigest(profile)] as const]));
  const currentSet = profileSetHash(current);
  const reports = input.policies.flatMap((policy): PolicyReport[] => {
    const kind = policy.kind;
    if (kind === undefined || !isPolicyKind(kind)) return [];
    // The profile is the one the policy controls (its owner reference), wherever the controller keeps it.
    const stored = input.profiles.find((profile) => profile.metadata?.ownerReferences?.some((owner) => owner.controller === true && owner.uid === policy.metadata?.uid));
    const profile = stored ? armorProfileSchema.safeParse(stored) : undefined;
    const base = {
      kind,
      ...(POLICY_RESOURCES[kind].namespaced ? { namespace: policy.metadata?.namespace ?? '' } : {}),
      name: policy.metadata?.name ?? '',
      ...statusOf(kind, (policy as { status?: unknown }).status),
    };
    if (!stored || !profile?.success) return [{ ...base, desired: 0, current: 0, nodes: [] }];
    const where = `${stored.metadata?.namespace ?? ''}/${stored.metadata?.name ?? ''}`;
    const digest = storedProfileDigest(stored);
    const lines = nodes.map((node): NodeReportLine => {
      const heartbeat = node.status ? Date.parse(node.status.heartbeatTime) : Number.NaN;
      if (!node.status || !(input.now.getTime() - heartbeat < input.staleAfter)) {
        return { node: node.metadata.name, state: 'offline', message: node.status ? `no heartbeat since ${node.status.heartbeatTime}` : 'the agent has not reported' };
      }
      const failure = node.status.failed.find((candidate) => candidate.namespace === stored.metadata?.namespace && candidate.name === stored.metadata?.name);
      if (failure?.digest === digest) return { node: node.metadata.name, state: 'failed', message: failure.message };
      if (node.status.appliedSet === currentSet) return { node: node.metadata.name, state: 'loaded', message: 'Ready' };
      return { node: node.metadata.name, state: 'waiting', message: `has not applied the current profiles yet (it holds ${node.status.profileCount} of ${current.length})` };
    });
    lines.sort((a, b) => byText(a.node, b.node));
    return [{ ...base, profile: where, desired: profile.data.status?.desiredNumberLoaded ?? 0, current: profile.data.status?.currentNumberLoaded ?? 0, nodes: lines }];
  });
  return reports.sort((a, b) => byText(keyOf(a), keyOf(b)));
}

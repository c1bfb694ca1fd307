import type { ViolationEvent, ViolationEventAction } from '@armorkit/core/audit';
import { z } from 'zod';
import type { KubeArmorEventMatch } from './event-match.js';
import { alertSubject, resultOf } from './subject.js';

const text = z.string().optional();
const int = z.number().int().optional();

/**
 * KubeArmor's alert as `karmor logs --json` prints it: protobuf `message Alert` (reference §5.1) with its field names,
 * in its field order, empty and zero fields left out as protojson does. armorkit fills the fields an event gives.
 */
export const kubeArmorAlertSchema = z.object({
  Timestamp: z.number().int(),
  UpdatedTime: z.string(),
  ClusterName: text,
  HostName: text,
  NamespaceName: text,
  Owner: z.object({ Ref: text, Name: text, Namespace: text }).optional(),
  PodName: text,
  Labels: text,
  ContainerID: text,
  ContainerName: text,
  ContainerImage: text,
  HostPPID: int,
  HostPID: int,
  PPID: int,
  PID: int,
  UID: int,
  ParentProcessName: text,
  ProcessName: text,
  PolicyName: text,
  Severity: text,
  Tags: text,
  ATags: z.array(z.string()).optional(),
  Message: text,
  Type: z.enum(['MatchedPolicy', 'MatchedHostPolicy', 'ContainerLog', 'HostLog']),
  Source: text,
  Operation: z.enum(['Process', 'File', 'Network', 'Capabilities', 'Syscall']),
  Resource: text,
  Data: text,
  EventData: z.record(z.string(), z.string()).optional(),
  Enforcer: text,
  Action: text,
  Result: text,
  Cwd: text,
  TTY: text,
  ExecEvent: z.object({ ExecID: text, ExecutableName: text }).optional(),
  KubeArmorVersion: text,
  NodeID: text,
  UserName: text,
});
export type KubeArmorAlert = z.infer<typeof kubeArmorAlertSchema>;

export interface KubeArmorAlertOptions {
  /** ClusterName (KubeArmor's default: `default`). */
  clusterName?: string;
  /** HostName when the event names no node. */
  hostName?: string;
}

/** KubeArmor's names of armorkit's enforcers (BPF-LSM is `BPFLSM` there). */
const ENFORCER_NAMES: Record<ViolationEvent['enforcer'], string> = { AppArmor: 'AppArmor', BPF: 'BPFLSM', Seccomp: 'Seccomp', NetworkProxy: 'NetworkProxy' };
const ACTION_NAMES: Record<ViolationEventAction, 'Block' | 'Audit'> = { DENIED: 'Block', AUDIT: 'Audit', ALLOWED: 'Audit', 'AUDIT|ALLOWED': 'Audit' };

/** Go's `2006-01-02T15:04:05.000000Z` (KubeArmor's TimeFormUTC) for Unix seconds. */
function updatedTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** KubeArmor's parseDataString: whitespace-separated `k=v` pairs, each key with its first letter upper-cased. */
function eventData(...texts: string[]): Record<string, string> | undefined {
  const pairs = texts.flatMap((one) => one.split(/\s+/)).flatMap((pair) => {
    const at = pair.indexOf('=');
    return at > 0 ? [[pair.charAt(0).toUpperCase() + pair.slice(1, at), pair.slice(at + 1)] as const] : [];
  });
  return pairs.length > 0 ? Object.fromEntries(pairs) : undefined;
}

/** The match of an event the dialect did not attribute: an alert of its (vArmor) policy when it has one, else a log. */
function genericMatch(event: ViolationEvent): KubeArmorEventMatch | undefined {
  const subject = alertSubject(event);
  if (!subject) return undefined;
  const named = event.policyName !== '';
  return {
    type: named ? 'MatchedPolicy' : 'ContainerLog',
    policyName: event.policyName,
    severity: '',
    tags: [],
    message: '',
    action: named ? ACTION_NAMES[event.action] : '',
    pointer: '',
    operation: subject.operation,
    resource: subject.resource,
    data: subject.data,
    source: subject.executable ?? subject.command,
    result: resultOf(event),
  };
}

/** Keeps the fields protojson writes: no empty strings, zeros, empty lists or undefined. */
function populated(alert: KubeArmorAlert): KubeArmorAlert {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(alert)) {
    if (value === undefined || value === '' || value === 0 || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return kubeArmorAlertSchema.parse(out);
}

/**
 * An event as KubeArmor's alert (or log, when no rule matched): from the KubeArmor match the dialect attached
 * (`dialectEvent.kubearmor`), else from the event alone. Undefined for events KubeArmor has no operation for
 * (ptrace, mount, signals, the proxy's).
 */
export function kubeArmorAlert(event: ViolationEvent, options: KubeArmorAlertOptions = {}): KubeArmorAlert | undefined {
  const match = event.dialectEvent?.kubearmor ?? genericMatch(event);
  if (!match) return undefined;
  const host = match.type === 'MatchedHostPolicy' || match.type === 'HostLog';
  const alert = match.type === 'MatchedPolicy' || match.type === 'MatchedHostPolicy';
  const uid = typeof event.event.uid === 'number' ? event.event.uid : typeof event.event.fsuid === 'number' ? event.event.fsuid : undefined;
  return populated({
    Timestamp: event.eventTimestamp,
    UpdatedTime: updatedTime(event.eventTimestamp),
    ClusterName: options.clusterName ?? 'default',
    HostName: event.nodeName || options.hostName,
    NamespaceName: host ? undefined : event.podNamespace || event.policyNamespace,
    PodName: event.podName,
    ContainerID: event.containerID,
    ContainerName: event.containerName,
    ContainerImage: event.image,
    HostPID: event.pid,
    // A host process's pid is its PID; a container's own pid namespace number is not in the kernel's record.
    PID: host ? event.pid : undefined,
    UID: uid,
    ProcessName: match.source,
    PolicyName: alert ? match.policyName : undefined,
    Severity: alert ? match.severity : undefined,
    Tags: alert ? match.tags.join(',') : undefined,
    ATags: alert ? match.tags : undefined,
    Message: alert ? match.message : undefined,
    Type: match.type,
    Source: match.source,
    Operation: match.operation,
    Resource: match.resource,
    Data: match.data,
    EventData: eventData(match.data, match.operation === 'Network' ? match.resource : ''),
    Enforcer: ENFORCER_NAMES[event.enforcer],
    Action: alert ? match.action : undefined,
    Result: match.result,
  });
}

/** One alert as a JSON line (what `armorkit audit --format kubearmor` writes), or undefined for an event with none. */
export function kubeArmorAlertLine(event: ViolationEvent, options: KubeArmorAlertOptions = {}): string | undefined {
  const alert = kubeArmorAlert(event, options);
  return alert ? `${JSON.stringify(alert)}\n` : undefined;
}

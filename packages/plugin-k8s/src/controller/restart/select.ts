// Which workloads a policy change restarts, and what their pod template becomes (vArmor's internal/policy/update.go,
// reference §6.4). Pure: the API calls are in update-existing.ts.
import type { PolicyIR } from '@armorkit/core';
import type { LabelSelector } from '../../mutate/label-selector.js';
import { formatMatchLabels, type MatchLabels } from '../../mutate/match-labels.js';

/** Set on the pod template when armorkit changed it, so the workload controller rolls its pods (vArmor's key). */
export const RESTARTED_AT_ANNOTATION = 'controller.varmor.org/restartedAt';

/** The kinds a rolling restart applies to; a bare Pod cannot be restarted, only recreated by its owner or the user. */
export const RESTARTABLE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type RestartableKind = (typeof RESTARTABLE_KINDS)[number];

/** The list request that finds a policy's target workloads. */
export interface RestartQuery {
  kind: RestartableKind;
  /** Absent: every namespace (a cluster policy). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export type PolicyTarget = Pick<PolicyIR, 'kind' | 'name' | 'namespace' | 'clusterScoped' | 'spec'>;

const isRestartable = (kind: string): kind is RestartableKind => (RESTARTABLE_KINDS as readonly string[]).includes(kind);

/** A LabelSelector as the API's `labelSelector` query text (`a=b,c in (d,e),!f`). */
export function labelSelectorText(selector: LabelSelector): string {
  const terms = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === 'In') terms.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') terms.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') terms.push(key);
    else terms.push(`!${key}`);
  }
  return terms.join(',');
}

/**
 * The list request for the policy's targets: the target's kind; its name as a field selector, or its selector; and
 * the webhook's match labels, since only workloads with them get profiles. Undefined for a Pod target (nothing to
 * restart: the status message says so).
 */
export function restartQuery(policy: PolicyTarget, matchLabels: MatchLabels): RestartQuery | undefined {
  const { target } = policy.spec;
  if (!isRestartable(target.kind)) return undefined;
  const labels = [target.selector ? labelSelectorText(target.selector) : '', formatMatchLabels(matchLabels)].filter((text) => text !== '');
  return {
    kind: target.kind,
    ...(policy.clusterScoped ? {} : { namespace: policy.namespace }),
    ...(labels.length > 0 ? { labelSelector: labels.join(',') } : {}),
    ...(target.name !== undefined ? { fieldSelector: `metadata.name=${target.name}` } : {}),
  };
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

// The annotation keys armorkit (as vArmor) writes on a pod template, by prefix; `unconfined` is the user's opt-out.
const MANAGED_PREFIXES = ['container.bpf.security.beta.varmor.org/', 'container.apparmor.security.beta.varmor.org/', 'container.seccomp.security.beta.varmor.org/'];
const KUBELET_APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';
// Every armorkit profile is named varmor-<namespace>-<name> or varmor-cluster-<namespace>-<name>.
const isOurs = (profile: unknown) => typeof profile === 'string' && profile.startsWith('varmor-');

/**
 * The workload with the profiles armorkit gave its pod template removed (annotations, and securityContext profiles
 * naming an armorkit profile), as vArmor's update does before adding the current ones; opt-outs stay.
 */
export function withoutProfiles(object: Json): Json {
  const copy = structuredClone(object);
  const template = isRecord(copy.spec) && isRecord(copy.spec.template) ? copy.spec.template : undefined;
  if (!template) return copy;
  const metadata = isRecord(template.metadata) ? template.metadata : undefined;
  const annotations = metadata && isRecord(metadata.annotations) ? metadata.annotations : undefined;
  const seccompByUs = new Set<string>();
  if (annotations) {
    for (const [key, value] of Object.entries(annotations)) {
      const managed = MANAGED_PREFIXES.some((prefix) => key.startsWith(prefix)) && value !== 'unconfined';
      const kubelet = key.startsWith(KUBELET_APPARMOR) && typeof value === 'string' && isOurs(value.replace(/^localhost\//, '')) && value.startsWith('localhost/');
      if (managed && key.startsWith(MANAGED_PREFIXES[2]!)) seccompByUs.add(key.slice(MANAGED_PREFIXES[2]!.length));
      if (managed || kubelet) delete annotations[key];
    }
  }
  const spec = isRecord(template.spec) ? template.spec : undefined;
  const containers = spec && Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
  for (const container of containers) {
    const context = isRecord(container.securityContext) ? container.securityContext : undefined;
    if (!context) continue;
    const appArmor = isRecord(context.appArmorProfile) ? context.appArmorProfile : undefined;
    if (appArmor?.type === 'Localhost' && isOurs(appArmor.localhostProfile)) delete context.appArmorProfile;
    const seccomp = isRecord(context.seccompProfile) ? context.seccompProfile : undefined;
    // RuntimeDefault is what a RuntimeDefault-mode policy writes: ours when our seccomp annotation says so.
    const ourSeccomp = seccomp && ((seccomp.type === 'Localhost' && isOurs(seccomp.localhostProfile)) || (seccomp.type === 'RuntimeDefault' && seccompByUs.has(String(container.name))));
    if (ourSeccomp) delete context.seccompProfile;
  }
  return copy;
}

export interface RestartDecision {
  /** Whether the pod template changes (and so the workload is updated and its pods roll). */
  changed: boolean;
  object: Json;
}

const templateOf = (object: Json): unknown => (isRecord(object.spec) ? object.spec.template : undefined);

// Key order is not a change: taking a profile out and putting it back moves its key to the end.
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${sortedJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What the workload becomes: `reprofile` gives it the profiles of the policies now in force (after the change); when
 * its pod template then differs, restartedAt is set to `now` so the pods roll, else it is left alone.
 */
export function restartedWorkload(object: Json, reprofiled: Json, now: Date): RestartDecision {
  if (sortedJson(templateOf(reprofiled)) === sortedJson(templateOf(object))) return { changed: false, object };
  const next = structuredClone(reprofiled);
  const template = (next.spec as Json).template as Json;
  const metadata = (template.metadata = isRecord(template.metadata) ? template.metadata : {});
  metadata.annotations = { ...(isRecord(metadata.annotations) ? metadata.annotations : {}), [RESTARTED_AT_ANNOTATION]: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return { changed: true, object: next };
}

import type { PolicyIR } from '@armorkit/core';
import { z } from 'zod';

// KubeArmor merges the policies that select a container into one profile. In a cluster the webhook, which sees the
// pod, decides each container's set of policies and writes it on the pod; the controller, which watches the pods so
// marked, makes one ArmorProfile per set in use (controller/kubearmor-sets.ts). These are the marks.

/** On a pod: `{"<profile>": ["<policy key>", ...]}`, the merged profiles its containers run under and their members. */
export const KUBEARMOR_SETS_ANNOTATION = 'armorkit.dev/kubearmor-sets';
/** On a pod with merged profiles, and on their ArmorProfiles: what the controller's pod watch selects (`true`). */
export const KUBEARMOR_SET_LABEL = 'armorkit.dev/kubearmor-set';

/** profile name → the members' policy keys (`KubeArmorPolicy/<ns>/<name>`, `KubeArmorClusterPolicy//<name>`), sorted. */
export type KubeArmorSets = Readonly<Record<string, readonly string[]>>;

const setsSchema = z.record(z.string().min(1), z.array(z.string().min(1)).min(2));

/** The sets a pod's annotations name; none when the annotation is absent or not what the webhook writes. */
export function readKubeArmorSets(annotations: Readonly<Record<string, string>> | undefined): KubeArmorSets {
  const text = annotations?.[KUBEARMOR_SETS_ANNOTATION];
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = setsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** The annotation's value: profiles by name, members sorted, so writing it twice changes nothing. */
export function formatKubeArmorSets(sets: KubeArmorSets): string {
  const names = Object.keys(sets).sort();
  return JSON.stringify(Object.fromEntries(names.map((name) => [name, [...(sets[name] ?? [])].sort()])));
}

/** A policy's key as the controller's work queue writes it (controller/names.ts `policyKeyString`). */
export const memberKeyOf = (policy: Pick<PolicyIR, 'kind' | 'name' | 'namespace' | 'clusterScoped'>) => `${policy.kind}/${policy.clusterScoped ? '' : policy.namespace}/${policy.name}`;

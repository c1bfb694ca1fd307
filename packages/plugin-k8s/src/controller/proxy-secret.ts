import type { V1Secret } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { CONTROLLER_NAME } from './names.js';
import { ownerReferenceOf, type PolicyOwner } from './desired-profile.js';

/** On every proxy Secret the controller writes: its profile, so the Secrets are watched by label and found by profile. */
export const PROXY_PROFILE_LABEL = 'armorkit.dev/proxy-profile';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/**
 * The NetworkProxy Secret `<profile>` in one namespace (vArmor §4.1): a Secret, not a ConfigMap, because the MITM
 * keys go into it and the configuration names the policy's egress; owned by the policy, so it goes with it. Pure.
 */
export function desiredProxySecret(owner: PolicyOwner, profileName: string, namespace: string, data: Readonly<Record<string, string>>): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: profileName,
      namespace,
      labels: { [PROXY_PROFILE_LABEL]: profileName, [MANAGED_BY_LABEL]: CONTROLLER_NAME },
      ownerReferences: [ownerReferenceOf(owner)],
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
  };
}

/** Whether the stored Secret is this policy's (its controller owner reference is the policy's uid). */
export function ownedBy(secret: V1Secret, uid: string): boolean {
  return (secret.metadata?.ownerReferences ?? []).some((reference) => reference.controller === true && reference.uid === uid);
}

/** Whether the stored Secret needs rewriting to become `desired`. */
export function secretDiffers(stored: V1Secret, desired: V1Secret): boolean {
  return (
    !isDeepStrictEqual(stored.data ?? {}, desired.data ?? {}) ||
    !isDeepStrictEqual(stored.metadata?.labels ?? {}, desired.metadata?.labels ?? {}) ||
    stored.type !== desired.type
  );
}

// The names the controller writes under: vArmor's where users' tooling reads them, armorkit's own otherwise.
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';

export const VARMOR_API_VERSION = `${VARMOR_GROUP}/${VARMOR_VERSION}`;
/** On every ArmorProfile: it stays until no node has the profile loaded (vArmor's finalizer name). */
export const PROFILE_FINALIZER = 'varmor.org/ap-protection';
/** armorkit's own namespace: cluster policies' ArmorProfiles, the Lease, Events about cluster policies. */
export const DEFAULT_NAMESPACE = 'armorkit';
export const DEFAULT_LEASE_NAME = 'armorkit-manager';
/** The Events' `source.component` / `reportingController`. */
export const CONTROLLER_NAME = 'armorkit-manager';

export const POLICY_PLURALS = { VarmorClusterPolicy: 'varmorclusterpolicies', VarmorPolicy: 'varmorpolicies' } as const;
export type PolicyKind = keyof typeof POLICY_PLURALS;
export const PROFILE_PLURAL = 'armorprofiles';

/** `VarmorPolicy/ns/name` or `VarmorClusterPolicy//name`: a policy's key in the work queue. */
export interface PolicyKey {
  kind: PolicyKind;
  namespace: string;
  name: string;
}
export const policyKeyString = (key: PolicyKey) => `${key.kind}/${key.namespace}/${key.name}`;
export function parsePolicyKey(text: string): PolicyKey | undefined {
  const [kind, namespace, name] = text.split('/');
  if ((kind !== 'VarmorPolicy' && kind !== 'VarmorClusterPolicy') || namespace === undefined || !name) return undefined;
  return { kind, namespace, name };
}
/** How a policy is named to people: `VarmorPolicy demo/web`, `VarmorClusterPolicy web`. */
export const describePolicy = (key: PolicyKey) => `${key.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name}`;

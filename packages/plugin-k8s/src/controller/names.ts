// The names the controller writes under: vArmor's where users' tooling reads them, armorkit's own otherwise.
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';

export const VARMOR_API_VERSION = `${VARMOR_GROUP}/${VARMOR_VERSION}`;
/** KubeArmor's API (its CRDs are KubeArmor's: armorkit reads them, never installs them). */
export const KUBEARMOR_GROUP = 'security.kubearmor.com';
export const KUBEARMOR_VERSION = 'v1';
export const KUBEARMOR_API_VERSION = `${KUBEARMOR_GROUP}/${KUBEARMOR_VERSION}`;
/** On every ArmorProfile: it stays until no node has the profile loaded (vArmor's finalizer name). */
export const PROFILE_FINALIZER = 'varmor.org/ap-protection';
/** armorkit's own namespace: cluster policies' ArmorProfiles, the Lease, Events about cluster policies. */
export const DEFAULT_NAMESPACE = 'armorkit';
export const DEFAULT_LEASE_NAME = 'armorkit-manager';
/** The Events' `source.component` / `reportingController`. */
export const CONTROLLER_NAME = 'armorkit-manager';

export interface PolicyResource {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** vArmor's kinds get vArmor's status (phase, conditions); KubeArmor's CRDs allow `status.status` only. */
  dialect: 'varmor' | 'kubearmor';
}

/** The policy kinds the controller turns into ArmorProfiles, cluster-scoped ones first (vArmor matches them first). */
export const POLICY_RESOURCES = {
  VarmorClusterPolicy: { group: VARMOR_GROUP, version: VARMOR_VERSION, plural: 'varmorclusterpolicies', namespaced: false, dialect: 'varmor' },
  VarmorPolicy: { group: VARMOR_GROUP, version: VARMOR_VERSION, plural: 'varmorpolicies', namespaced: true, dialect: 'varmor' },
  KubeArmorClusterPolicy: { group: KUBEARMOR_GROUP, version: KUBEARMOR_VERSION, plural: 'kubearmorclusterpolicies', namespaced: false, dialect: 'kubearmor' },
  KubeArmorHostPolicy: { group: KUBEARMOR_GROUP, version: KUBEARMOR_VERSION, plural: 'kubearmorhostpolicies', namespaced: false, dialect: 'kubearmor' },
  KubeArmorPolicy: { group: KUBEARMOR_GROUP, version: KUBEARMOR_VERSION, plural: 'kubearmorpolicies', namespaced: true, dialect: 'kubearmor' },
} as const satisfies Record<string, PolicyResource>;
export type PolicyKind = keyof typeof POLICY_RESOURCES;
export const VARMOR_POLICY_KINDS = ['VarmorClusterPolicy', 'VarmorPolicy'] as const satisfies readonly PolicyKind[];
export const KUBEARMOR_POLICY_KINDS = ['KubeArmorClusterPolicy', 'KubeArmorHostPolicy', 'KubeArmorPolicy'] as const satisfies readonly PolicyKind[];
/** Every policy kind: vArmor's, then KubeArmor's, cluster-scoped ones first in each. */
export const POLICY_KINDS = [...VARMOR_POLICY_KINDS, ...KUBEARMOR_POLICY_KINDS] as const;
export const PROFILE_PLURAL = 'armorprofiles';

export const isPolicyKind = (kind: string): kind is PolicyKind => Object.hasOwn(POLICY_RESOURCES, kind);
/** `crd.varmor.org/v1beta1` or `security.kubearmor.com/v1`: what an owner reference to a policy of the kind says. */
export const policyApiVersion = (kind: PolicyKind) => `${POLICY_RESOURCES[kind].group}/${POLICY_RESOURCES[kind].version}`;
/** The all-namespaces collection path of a kind (`/apis/crd.varmor.org/v1beta1/varmorpolicies`). */
export const policyCollection = (kind: PolicyKind) => `/apis/${policyApiVersion(kind)}/${POLICY_RESOURCES[kind].plural}`;

/** `VarmorPolicy/ns/name` or `VarmorClusterPolicy//name`: a policy's key in the work queue. */
export interface PolicyKey {
  kind: PolicyKind;
  namespace: string;
  name: string;
}
export const policyKeyString = (key: PolicyKey) => `${key.kind}/${key.namespace}/${key.name}`;
export function parsePolicyKey(text: string): PolicyKey | undefined {
  const [kind, namespace, name] = text.split('/');
  if (kind === undefined || !isPolicyKind(kind) || namespace === undefined || !name) return undefined;
  return { kind, namespace, name };
}
/** The key of a stored policy object of the kind. */
export const policyKeyOf = (kind: PolicyKind, object: { metadata?: { namespace?: string; name?: string } }): PolicyKey => ({
  kind,
  namespace: POLICY_RESOURCES[kind].namespaced ? (object.metadata?.namespace ?? '') : '',
  name: object.metadata?.name ?? '',
});
/** How a policy is named to people: `VarmorPolicy demo/web`, `VarmorClusterPolicy web`. */
export const describePolicy = (key: PolicyKey) => `${key.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name}`;

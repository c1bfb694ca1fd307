/** Kubernetes object names (ArmorProfile) and the kernel-side profile names share this limit. */
export const PROFILE_NAME_MAX_BYTES = 63;
export const DEFAULT_VARMOR_NAMESPACE = 'varmor';

export interface ProfileNameOptions {
  /** The namespace vArmor (or armorkit's controller) runs in; cluster policies' profiles are named after it. */
  varmorNamespace?: string;
}

export interface NamedPolicy {
  kind: 'VarmorPolicy' | 'VarmorClusterPolicy';
  metadata: { name: string; namespace?: string | undefined };
}

/**
 * The profile name of a policy, as vArmor forms it: `varmor-<namespace>-<name>` or
 * `varmor-cluster-<varmorNamespace>-<name>`, lower-cased. A namespaced policy without a namespace is in `default`.
 */
export function profileNameFor(policy: NamedPolicy, options: ProfileNameOptions = {}): string {
  const varmorNamespace = options.varmorNamespace ?? DEFAULT_VARMOR_NAMESPACE;
  const name =
    policy.kind === 'VarmorClusterPolicy'
      ? `varmor-cluster-${varmorNamespace}-${policy.metadata.name}`
      : `varmor-${policy.metadata.namespace ?? 'default'}-${policy.metadata.name}`;
  return name.toLowerCase();
}

import { isDeepStrictEqual } from 'node:util';
import { type Artifact, fail, ok, type Plan, type Result } from '@armorkit/core';
import { type ArmorProfile, bpfContentSchema, type Profile } from '@armorkit/core/schema';
import { POLICY_RESOURCES, policyApiVersion, PROFILE_FINALIZER, type PolicyKind, VARMOR_API_VERSION } from './names.js';
import { controllerErrors } from './errors.js';

/** The policy object's identity, as its ArmorProfile's owner reference needs it. */
export interface PolicyOwner {
  kind: PolicyKind;
  name: string;
  /** The policy's namespace (a VarmorPolicy's or KubeArmorPolicy's), absent for a cluster-scoped kind. */
  namespace?: string;
  uid: string;
  labels?: Readonly<Record<string, string>>;
}

/** The NetworkProxy configuration the sidecar reads, as the Secret `<profile>` holds it (plugin-networkproxy's pod layout). */
export interface ProxySecretData {
  /** `<profile>.networkproxy.json`: the key the pod's `varmor-network-proxy-config` volume mounts. */
  key: string;
  content: string;
}

export interface DesiredProfile {
  armorProfile: ArmorProfile;
  proxy?: ProxySecretData;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** The owner reference that makes the policy the ArmorProfile's (and the proxy Secret's) controller. */
export function ownerReferenceOf(owner: PolicyOwner): OwnerReference {
  return { apiVersion: policyApiVersion(owner.kind), kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

/** Where a policy's ArmorProfile lives: the policy's namespace, or armorkit's own for a cluster-scoped kind (vArmor's rule). */
export const profileNamespaceOf = (owner: Pick<PolicyOwner, 'kind' | 'namespace'>, ownNamespace: string) =>
  POLICY_RESOURCES[owner.kind].namespaced ? (owner.namespace ?? 'default') : ownNamespace;

const fileOf = (artifacts: readonly Artifact[], enforcer: string, suffix: string) =>
  artifacts.find((artifact) => artifact.enforcer === enforcer)?.files.find((file) => file.suffix === suffix)?.content;

/**
 * The ArmorProfile a compiled policy becomes (vArmor §2.1): named after the profile, labels copied from the policy,
 * owned by it (controller=true), held by the `varmor.org/ap-protection` finalizer, and `spec.profile` holding every
 * enforcer's artifact (AppArmor text, BPF content, seccomp JSON); NetworkProxy's configuration goes to a Secret
 * instead (it is the sidecar's, not the nodes'). Pure.
 */
export function desiredArmorProfile(owner: PolicyOwner, plan: Plan, artifacts: readonly Artifact[], ownNamespace: string): Result<DesiredProfile> {
  const spec = plan.policy.spec;
  const profile: Profile = {
    name: plan.profileName,
    enforcer: spec.policy.enforcer,
    // Every enforcer of one plan compiles to the same mode; NetworkProxy's is the policy's too.
    mode: artifacts[0]?.profileMode ?? 'enforce',
  };
  const appArmor = fileOf(artifacts, 'AppArmor', 'apparmor');
  if (appArmor !== undefined) profile.appArmor = appArmor;
  const seccomp = fileOf(artifacts, 'Seccomp', 'seccomp.json');
  if (seccomp !== undefined) profile.seccomp = seccomp;
  const bpf = fileOf(artifacts, 'BPF', 'bpf.json');
  if (bpf !== undefined) {
    const content = bpfContentSchema.safeParse(JSON.parse(bpf));
    if (!content.success) {
      return fail([controllerErrors.error('policy-no-artifact', '/spec/policy/enforcer', `the BPF artifact is not a BpfContent an agent can load: ${content.error.issues[0]?.message ?? 'invalid'}`)]);
    }
    profile.bpf = content.data;
  }
  const armorProfile: ArmorProfile = {
    apiVersion: VARMOR_API_VERSION,
    kind: 'ArmorProfile',
    metadata: {
      name: plan.profileName,
      namespace: profileNamespaceOf(owner, ownNamespace),
      ...(owner.labels && Object.keys(owner.labels).length > 0 ? { labels: { ...owner.labels } } : {}),
      ownerReferences: [ownerReferenceOf(owner)],
      finalizers: [PROFILE_FINALIZER],
    },
    spec: {
      target: spec.target,
      profile,
      ...(spec.policy.mode === 'BehaviorModeling' ? { behaviorModeling: { enable: true, duration: spec.policy.modelingOptions?.duration ?? 0 } } : {}),
      ...(spec.updateExistingWorkloads !== undefined ? { updateExistingWorkloads: spec.updateExistingWorkloads } : {}),
    },
  };
  const proxy = artifacts.find((artifact) => artifact.enforcer === 'NetworkProxy')?.files[0];
  return ok(proxy ? { armorProfile, proxy: { key: `${plan.profileName}.${proxy.suffix}`, content: proxy.content } } : { armorProfile });
}

/** What of an ArmorProfile the controller owns (labels, owner, finalizer, spec), as plain JSON. */
function managedPart(profile: { metadata?: { labels?: unknown; ownerReferences?: unknown; finalizers?: unknown }; spec?: unknown }): unknown {
  return JSON.parse(
    JSON.stringify({
      labels: profile.metadata?.labels ?? {},
      ownerReferences: profile.metadata?.ownerReferences ?? [],
      finalizers: profile.metadata?.finalizers ?? [],
      spec: profile.spec ?? {},
    }),
  );
}

/** Whether a stored ArmorProfile differs from the desired one in what the controller owns (key order aside). */
export function managedDiffers(stored: Parameters<typeof managedPart>[0], desired: Parameters<typeof managedPart>[0]): boolean {
  return !isDeepStrictEqual(managedPart(stored), managedPart(desired));
}

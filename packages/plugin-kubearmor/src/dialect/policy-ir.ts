import { createHash } from 'node:crypto';
import type { PolicyIR } from '@armorkit/core';
import type { VarmorPolicySpec } from '@armorkit/core/schema';
import type { ParsedKubeArmorPolicy } from '../parse/parsed-policy.js';

export interface KubeArmorDialectOptions {
  /** Namespace cluster-scoped policies (KubeArmorClusterPolicy, KubeArmorHostPolicy) are named after. Default `armorkit`. */
  namespace?: string;
}

/** `kubearmor-<ns>-<name>`, `kubearmor-cluster-<name>` or `kubearmor-host-<name>`, lower-cased. */
export function kubeArmorProfileName(policy: Pick<ParsedKubeArmorPolicy, 'kind' | 'name' | 'namespace'>): string {
  switch (policy.kind) {
    case 'KubeArmorPolicy':
      return `kubearmor-${policy.namespace ?? 'default'}-${policy.name}`.toLowerCase();
    case 'KubeArmorClusterPolicy':
      return `kubearmor-cluster-${policy.name}`.toLowerCase();
    case 'KubeArmorHostPolicy':
      return `kubearmor-host-${policy.name}`.toLowerCase();
  }
}

/**
 * The profile of a merged set, named by its members (not their rules, so editing a member keeps the name, as for
 * one policy): `kubearmor-<ns>-set-<hash>`, `kubearmor-cluster-set-<hash>` or `kubearmor-host-set-<hash>`.
 */
export function kubeArmorSetProfileName(members: readonly Pick<ParsedKubeArmorPolicy, 'kind' | 'name' | 'namespace'>[]): string {
  const identities = members.map((member) => `${member.kind}/${member.namespace ?? ''}/${member.name}`).sort();
  const hash = createHash('sha256').update(identities.join('\n')).digest('hex').slice(0, 10);
  const namespace = members.find((member) => member.kind === 'KubeArmorPolicy')?.namespace;
  const scope = members.some((member) => member.kind === 'KubeArmorHostPolicy') ? 'host' : (namespace ?? 'cluster');
  return `kubearmor-${scope}-set-${hash}`.toLowerCase();
}

/**
 * The vArmor-shaped target: pods by the selector's labels (what an ArmorProfile shows), and the containers
 * `kubearmor.io/container.name: "[a,b]"` names, which pod changes (the AppArmor annotation ...) are made for. Which
 * pods a policy selects is KubeArmor's to say (selectors/pod-selection.ts), not this.
 */
export function kubeArmorSpecTarget(parsed: Pick<ParsedKubeArmorPolicy, 'target'>): VarmorPolicySpec['target'] {
  const matchLabels = parsed.target.kind === 'pods' ? parsed.target.matchLabels : {};
  const containers = parsed.target.kind === 'pods' ? parsed.target.containers : [];
  return { kind: 'Pod', selector: { matchLabels }, ...(containers.length > 0 ? { containers } : {}) };
}

/**
 * The PolicyIR of a parsed KubeArmor policy. The vArmor-shaped `spec` carries the target only (pods by labels, the containers named) and no
 * enforcer: KubeArmor's rules cannot be said in it, so the policy itself travels in `dialectPolicy.kubearmor`, and the
 * plugin's semantics choose the enforcers and turn the rules into plan rules (docs/kubearmor.md#parsing).
 */
export function kubeArmorPolicyIR(parsed: ParsedKubeArmorPolicy, options: KubeArmorDialectOptions = {}): PolicyIR {
  const clusterScoped = parsed.kind !== 'KubeArmorPolicy';
  return {
    dialect: 'kubearmor',
    kind: parsed.kind,
    name: parsed.name,
    namespace: clusterScoped ? (options.namespace ?? 'armorkit') : (parsed.namespace ?? 'default'),
    clusterScoped,
    labels: parsed.labels,
    profileName: kubeArmorProfileName(parsed),
    enforcers: [],
    spec: {
      target: kubeArmorSpecTarget(parsed),
      policy: { enforcer: '', mode: 'EnhanceProtect', enhanceProtect: {} },
    },
    source: parsed.source,
    specPointer: '/spec',
    dialectPolicy: { kubearmor: parsed },
  };
}

import type { Enforcer } from './enforcer.js';
import type { SourceDocument } from './source.js';
import type { VarmorPolicySpec } from './schema/varmor/index.js';

/**
 * Dialect → the type of the source policy that dialect keeps on its IR (`PolicyIR.dialectPolicy`), for what the
 * vArmor-shaped `spec` cannot say. Empty in core; a dialect plugin adds its entry by declaration merging, so its own
 * later stages read the policy typed, with no cast:
 *
 *   declare module '@armorkit/core' { interface DialectPolicyMap { kubearmor: ParsedKubeArmorPolicy } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by dialect plugins through declaration merging
export interface DialectPolicyMap {}

/**
 * A policy in dialect-neutral form: what every dialect (vArmor natively, KubeArmor as a plugin) parses into.
 * vArmor is the native dialect, so the policy body keeps vArmor's shape (`spec`), validated; dialects that cannot
 * express something in it report an error rather than dropping it.
 */
export interface PolicyIR {
  /** Dialect that produced it (`varmor`, `kubearmor`). */
  dialect: string;
  /** Kind in the source dialect (`VarmorPolicy`, `VarmorClusterPolicy`, `KubeArmorPolicy`, ...). */
  kind: string;
  name: string;
  /** Namespace of the policy; for cluster-scoped kinds the namespace armorkit's objects live in. */
  namespace: string;
  clusterScoped: boolean;
  labels: Record<string, string>;
  /** `varmor-<ns>-<name>` / `varmor-cluster-<ns>-<name>`: the AppArmor profile, seccomp file and BPF key. */
  profileName: string;
  enforcers: Enforcer[];
  spec: VarmorPolicySpec;
  /** The document it came from, for error positions. */
  source: SourceDocument;
  /** JSON pointer of `spec` inside the source document (dialects may map fields elsewhere). */
  specPointer: string;
  /** The policy as its dialect parsed it, keyed by dialect (`dialectPolicy.kubearmor`); vArmor policies have none. */
  dialectPolicy?: Partial<DialectPolicyMap>;
}

import type { PostureClass } from './rules.js';

/** What happens to an operation a whitelisted class does not allow (reference §2.1). */
export type Posture = 'audit' | 'block';
export type Postures = Record<PostureClass, Posture>;

export interface PostureOptions {
  /** The global default posture per class (KubeArmor's defaultFilePosture, ...); KubeArmor's default is audit. */
  defaultPosture?: Partial<Postures>;
  /** Namespace annotations by namespace (`kubearmor-file-posture: block`, ...), as a cluster would have them. */
  namespaceAnnotations?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Report what the audit posture lets through, as KubeArmor's DefaultPosture Audit alerts: AppArmor then logs every
   * operation of a whitelisted class under the audit posture (the allowed ones too, which the alerts leave out), so
   * the kernel log grows with the workload's activity. Default false: those operations pass unlogged (a warning says
   * so at compile time).
   */
  postureAlerts?: boolean;
}

const ANNOTATIONS: Record<PostureClass, string> = {
  file: 'kubearmor-file-posture',
  network: 'kubearmor-network-posture',
  capabilities: 'kubearmor-capabilities-posture',
};

/** `audit|Audit` → audit, `block|Block` → block; anything else (incl. allow) → undefined (KubeArmor: the default). */
export function postureOf(text: string | undefined): Posture | undefined {
  const lower = text?.toLowerCase();
  return lower === 'audit' || lower === 'block' ? lower : undefined;
}

/**
 * The posture of each class for a namespace: its annotation when valid (case-insensitive), else the global
 * default, else audit (reference §2.1; an invalid annotation falls back to the default, as KubeArmor rewrites it).
 */
export function resolvePostures(namespace: string, options: PostureOptions = {}): Postures {
  const annotations = options.namespaceAnnotations?.[namespace] ?? {};
  const one = (cls: PostureClass): Posture => postureOf(annotations[ANNOTATIONS[cls]]) ?? options.defaultPosture?.[cls] ?? 'audit';
  return { file: one('file'), network: one('network'), capabilities: one('capabilities') };
}

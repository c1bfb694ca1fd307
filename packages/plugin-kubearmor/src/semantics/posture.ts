import type { PostureClass } from './rules.js';

/** What happens to an operation a whitelisted class does not allow (reference §2.1). */
export type Posture = 'audit' | 'block';
export type Postures = Record<PostureClass, Posture>;

export interface PostureOptions {
  /** The global default posture per class (KubeArmor's defaultFilePosture, ...); KubeArmor's default is audit. */
  defaultPosture?: Partial<Postures>;
  /**
   * Namespace annotations by namespace (`kubearmor-file-posture: block`, ...), as a cluster would have them: a record,
   * or a lookup read at each translation (a controller's cache of the cluster's Namespaces).
   */
  namespaceAnnotations?: NamespaceAnnotations;
  /**
   * Report what the audit posture lets through, as KubeArmor's DefaultPosture Audit alerts: AppArmor then logs every
   * operation of a whitelisted class under the audit posture (the allowed ones too, which the alerts leave out), so
   * the kernel log grows with the workload's activity. Default false: those operations pass unlogged (a warning says
   * so at compile time).
   */
  postureAlerts?: boolean;
}

/** A namespace's annotations; undefined for a namespace not known. */
export type NamespaceAnnotationsLookup = (namespace: string) => Readonly<Record<string, string>> | undefined;
export type NamespaceAnnotations = Readonly<Record<string, Readonly<Record<string, string>>>> | NamespaceAnnotationsLookup;

const CLASSES = ['file', 'network', 'capabilities'] as const satisfies readonly PostureClass[];

/** The annotations that set a namespace's posture, by class (reference §2.1). */
export const POSTURE_ANNOTATIONS: Readonly<Record<PostureClass, string>> = {
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
  const annotated = annotatedPostures(annotationsOf(namespace, options.namespaceAnnotations));
  const one = (cls: PostureClass): Posture => annotated[cls] ?? options.defaultPosture?.[cls] ?? 'audit';
  return { file: one('file'), network: one('network'), capabilities: one('capabilities') };
}

/** The postures a namespace's annotations set (the valid ones only): what a watcher compares to know a change matters. */
export function annotatedPostures(annotations: Readonly<Record<string, string>> | undefined): Partial<Postures> {
  const postures: Partial<Postures> = {};
  for (const cls of CLASSES) {
    const posture = postureOf(annotations?.[POSTURE_ANNOTATIONS[cls]]);
    if (posture) postures[cls] = posture;
  }
  return postures;
}

function annotationsOf(namespace: string, source: NamespaceAnnotations | undefined): Readonly<Record<string, string>> | undefined {
  if (typeof source === 'function') return source(namespace);
  // Own keys only: a namespace named `constructor` is not Object.prototype's.
  return source && Object.hasOwn(source, namespace) ? source[namespace] : undefined;
}

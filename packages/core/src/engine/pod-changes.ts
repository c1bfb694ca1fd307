import type { Enforcer } from '../enforcer.js';
import type { Plan } from '../plan.js';

// How a pod must change so that the kubelet and the node agent apply a policy's profiles: each enforcer says it in a
// small declarative vocabulary, and the Kubernetes side (plugin-k8s) turns it into JSON patch operations. Enforcers
// read the pod through PodView and never see paths or patches; plugin-k8s never knows what an enforcer wants.

/** The API server's version (what `/version` says), read once by the caller and passed in. */
export interface KubernetesVersion {
  major: number;
  minor: number;
}

/** True when `version` is `major.minor` or newer (`kubernetesVersionAtLeast(version, 1, 30)`: AppArmor is GA). */
export function kubernetesVersionAtLeast(version: KubernetesVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** A seccompProfile / appArmorProfile as the pod has it (`type` as written: the API server checks its values). */
export interface SecurityProfileView {
  type: string;
  localhostProfile?: string;
}

/** A container of the pod (spec.containers), with what enforcers read of it. */
export interface PodContainer {
  name: string;
  /** Position in spec.containers. */
  index: number;
  /** JSON pointer of the container in the workload document (`/spec/template/spec/containers/0`), for warnings. */
  pointer: string;
  /** securityContext.privileged is true. */
  privileged: boolean;
  seccompProfile?: SecurityProfileView;
  appArmorProfile?: SecurityProfileView;
  /** Names of its env entries and volumeMounts. */
  env: readonly string[];
  volumeMounts: readonly string[];
}

/** The pod (a Pod, or a workload's pod template) as enforcers read it. */
export interface PodView {
  /** The object the pod belongs to. */
  workloadKind: 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet';
  /** The pod's annotations (a template's own, for workloads). */
  annotations: Readonly<Record<string, string>>;
  /** The pod-level securityContext's profiles. */
  seccompProfile?: SecurityProfileView;
  appArmorProfile?: SecurityProfileView;
  containers: readonly PodContainer[];
  /** Names of spec.initContainers and spec.volumes. */
  initContainers: readonly string[];
  volumes: readonly string[];
}

/** A JSON value, as containers and volumes an enforcer adds are written. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
/** A container, volume, env entry or volume mount: a JSON object with a name. */
export type NamedObject = { readonly name: string } & { readonly [key: string]: JsonValue };

/** A profile a change sets on a container. */
export type SecurityProfile = { type: 'RuntimeDefault' } | { type: 'Unconfined' } | { type: 'Localhost'; localhostProfile: string };

/**
 * One change to a pod. "Set" changes leave a value that is already there as it is; "add" changes add an entry only
 * when none of that name exists, so applying the changes to a pod that has them changes nothing.
 */
export type PodChange =
  /** Set a pod annotation; `container` is the container it is about (it orders the change with that container's). */
  | { kind: 'annotation'; key: string; value: string; container?: string }
  /** Set `securityContext.<field>` of a container (the securityContext is added when missing). */
  | { kind: 'container-security-profile'; container: string; field: 'seccompProfile' | 'appArmorProfile'; value: SecurityProfile }
  /** Add an init container (spec.initContainers) unless one of its name exists. */
  | { kind: 'init-container'; value: NamedObject }
  /** Add a container (spec.containers) unless one of its name exists. */
  | { kind: 'sidecar'; value: NamedObject }
  /** Add a volume (spec.volumes) unless one of its name exists. */
  | { kind: 'volume'; value: NamedObject }
  /** Add an env entry to a container unless it defines one of that name. */
  | { kind: 'container-env'; container: string; value: NamedObject }
  /** Add a volume mount to a container unless it has one of that volume's name. */
  | { kind: 'container-volume-mount'; container: string; value: NamedObject };

/** What a backend's podChanges reads besides its own part of the plan. */
export interface PodChangeContext {
  /** The whole plan (the policy, with its networkProxyConfig; the other enforcers' parts). */
  plan: Plan;
  pod: PodView;
  /** The containers the policy targets: spec.target.containers, or every container of spec.containers. */
  containers: readonly PodContainer[];
  kubernetesVersion: KubernetesVersion;
}

/** One enforcer's changes, as `engine.podChanges` returns them. */
export interface EnforcerPodChanges {
  enforcer: Enforcer;
  changes: PodChange[];
}

/** The containers a policy targets: those `target.containers` names (all, when it names none); never init containers. */
export function targetedContainers(plan: Plan, pod: PodView): PodContainer[] {
  const names = plan.policy.spec.target.containers ?? [];
  return pod.containers.filter((container) => names.length === 0 || names.includes(container.name));
}

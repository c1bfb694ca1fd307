import type { NodePod } from './node-pods.js';

// Which containers of the node need which BPF profile: the pod's annotation
// `container.bpf.security.beta.varmor.org/<container>: localhost/<profile>` (the mutating webhook writes it), the
// container's runtime id from the pod's status, and the mount namespace of the processes in that container's cgroup.
// Pure, so the plan is tested on tables of pods and processes.

export const BPF_ANNOTATION_PREFIX = 'container.bpf.security.beta.varmor.org/';

/** A process of the node in a pod's container, from `/proc/<pid>/cgroup` and `/proc/<pid>/ns/mnt`. */
export interface ContainerProcess {
  pid: number;
  podUID: string;
  containerID: string;
  mountNamespace: number;
}

/** A running container of a pod on this node, with its mount namespace. */
export interface LocatedContainer {
  mountNamespace: number;
  podUID: string;
  podNamespace: string;
  podName: string;
  containerName: string;
  containerID: string;
  image: string;
  podIPs: string[];
}

/** One container that must have a BPF profile. */
export interface BpfTarget extends LocatedContainer {
  profileName: string;
}

/** The BPF profile a pod's annotation gives a container: `localhost/<profile>`, or nothing (`unconfined`, absent). */
export function bpfProfileOf(pod: NodePod, containerName: string): string | undefined {
  const value = pod.annotations[`${BPF_ANNOTATION_PREFIX}${containerName}`];
  return value?.startsWith('localhost/') ? value.slice('localhost/'.length) : undefined;
}

/**
 * The node's running pod containers, by mount namespace: the container ids of the pods' statuses matched with the
 * processes found in those containers' cgroups. A container's processes share one mount namespace; a process whose
 * namespace is the host's (`hostNamespace`) is never a container's. Sorted by mount namespace.
 */
export function locateContainers(pods: readonly NodePod[], processes: readonly ContainerProcess[], hostNamespace?: number): LocatedContainer[] {
  const byContainer = new Map<string, { pod: NodePod; name: string; image: string }>();
  for (const pod of pods) {
    for (const container of pod.containers) {
      if (container.containerID) byContainer.set(`${container.containerID}`, { pod, name: container.name, image: container.image });
    }
  }
  const located = new Map<number, LocatedContainer>();
  for (const process of processes) {
    if (process.mountNamespace === hostNamespace || located.has(process.mountNamespace)) continue;
    const found = byContainer.get(process.containerID);
    // The cgroup names the pod by UID (or a static pod by its config hash); both must agree with the status.
    if (!found || (found.pod.uid !== process.podUID && found.pod.configHash?.replace(/-/g, '') !== process.podUID.replace(/-/g, ''))) continue;
    located.set(process.mountNamespace, {
      mountNamespace: process.mountNamespace,
      podUID: found.pod.uid,
      podNamespace: found.pod.namespace,
      podName: found.pod.name,
      containerName: found.name,
      containerID: process.containerID,
      image: found.image,
      podIPs: found.pod.podIPs,
    });
  }
  return [...located.values()].sort((a, b) => a.mountNamespace - b.mountNamespace);
}

/**
 * The containers that must have a BPF profile now: each located container whose pod annotates it with a profile
 * the agent has (`profiles`). A container whose profile is not (yet) there is left out; the caller reports it.
 */
export function bpfTargets(containers: readonly LocatedContainer[], pods: readonly NodePod[], profiles: ReadonlySet<string>): BpfTarget[] {
  const podsByUID = new Map(pods.map((pod) => [pod.uid, pod]));
  const targets: BpfTarget[] = [];
  for (const container of containers) {
    const pod = podsByUID.get(container.podUID);
    const profileName = pod ? bpfProfileOf(pod, container.containerName) : undefined;
    if (profileName && profiles.has(profileName)) targets.push({ ...container, profileName });
  }
  return targets;
}

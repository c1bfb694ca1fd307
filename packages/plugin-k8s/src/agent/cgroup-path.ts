// Which pod and container a process belongs to, from its /proc/<pid>/cgroup. The kubelet puts each pod in a cgroup
// named after its UID and the runtime each container in one named after its id; the names differ by cgroup driver
// (systemd: `kubepods-burstable-pod<uid with _>.slice/cri-containerd-<id>.scope`; cgroupfs:
// `kubepods/burstable/pod<uid>/<id>`), by runtime (containerd `cri-containerd-`, CRI-O `crio-`, cri-dockerd
// `docker-`) and by cgroup version (v2: one `0::` line; v1: one line per hierarchy). Pure.

/** The pod (its UID, with dashes) and container (the runtime's 64-hex id) of a process. */
export interface CgroupContainer {
  podUID: string;
  containerID: string;
}

// `pod` + a UUID (dashes, or underscores in systemd slice names), or the 32-hex config hash of a static pod.
const POD_SEGMENT = /^(?:[a-z0-9-]*-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32})(?:\.slice)?$/;
// The container's own cgroup; CRI-O's `crio-conmon-<id>.scope` (the monitor process) is not the container.
const CONTAINER_SEGMENT = /^(?:cri-containerd-|crio-|docker-|containerd-)?([0-9a-f]{64})(?:\.scope)?$/;

/** The pod and container of one cgroup path (`/kubepods/...`), or undefined for a process outside a pod's container. */
export function containerOfCgroupPath(path: string): CgroupContainer | undefined {
  const segments = path.split('/');
  // The last pod segment: a kind node's kubelet runs under the host's kubepods, and its pods under its own.
  for (let index = segments.length - 2; index >= 0; index -= 1) {
    const pod = POD_SEGMENT.exec(segments[index] ?? '');
    if (!pod?.[1]) continue;
    const container = CONTAINER_SEGMENT.exec(segments[index + 1] ?? '');
    if (!container?.[1]) return undefined;
    return { podUID: pod[1].replaceAll('_', '-'), containerID: container[1] };
  }
  return undefined;
}

/**
 * The pod and container of a /proc/<pid>/cgroup file: the v2 line (`0::/...`) when it names one, else the first v1
 * hierarchy line that does (every hierarchy holds the process in the same pod and container cgroup).
 */
export function containerOfCgroupFile(text: string): CgroupContainer | undefined {
  const paths = text
    .split('\n')
    .map((line) => /^\d+:[^:]*:(.*)$/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined && path.length > 1);
  for (const path of paths) {
    const found = containerOfCgroupPath(path);
    if (found) return found;
  }
  return undefined;
}

/** `containerd://<id>`, `cri-o://<id>`, `docker://<id>` (a pod's `status.containerStatuses[].containerID`) → the id. */
export function containerIdOfStatus(containerID: string | undefined): string | undefined {
  const id = /^[a-z0-9-]+:\/\/([0-9a-f]{64})$/.exec(containerID ?? '')?.[1];
  return id;
}

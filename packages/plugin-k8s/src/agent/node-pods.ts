import { z } from 'zod';
import { containerIdOfStatus } from './cgroup-path.js';

// The pods of the agent's node as the agent reads them: identity, annotations (which BPF profile each container
// has), the containers' runtime ids and images. Read loosely: a pod is the API server's, not a user's document.

export interface NodeContainer {
  name: string;
  /** The runtime's 64-hex id from `status.containerStatuses[].containerID`; absent until the container runs. */
  containerID?: string;
  image: string;
}

export interface NodePod {
  uid: string;
  namespace: string;
  name: string;
  /** The static pod's config hash (`kubernetes.io/config.hash`): its cgroup is named after it, not after the UID. */
  configHash?: string;
  annotations: Record<string, string>;
  containers: NodeContainer[];
  /** The pod's IP addresses (for BPF egress rules to the pod itself). */
  podIPs: string[];
}

const statusSchema = z.looseObject({ name: z.string(), containerID: z.string().optional(), image: z.string().optional() });
const podSchema = z.looseObject({
  metadata: z.looseObject({
    uid: z.string(),
    name: z.string(),
    namespace: z.string(),
    annotations: z.record(z.string(), z.string()).nullish(),
    deletionTimestamp: z.unknown().optional(),
  }),
  spec: z.looseObject({ containers: z.array(z.looseObject({ name: z.string(), image: z.string().nullish() })).nullish() }).nullish(),
  status: z
    .looseObject({
      containerStatuses: z.array(statusSchema).nullish(),
      initContainerStatuses: z.array(statusSchema).nullish(),
      podIPs: z.array(z.looseObject({ ip: z.string() })).nullish(),
    })
    .nullish(),
});

/** A pod object (informer, list) → what the agent uses; undefined for something that is not a pod. */
export function readNodePod(object: unknown): NodePod | undefined {
  const parsed = podSchema.safeParse(object);
  if (!parsed.success) return undefined;
  const { metadata, spec, status } = parsed.data;
  const images = new Map((spec?.containers ?? []).map((container) => [container.name, container.image ?? '']));
  const containers = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])].map((container) => {
    const containerID = containerIdOfStatus(container.containerID);
    return { name: container.name, ...(containerID ? { containerID } : {}), image: container.image ?? images.get(container.name) ?? '' };
  });
  const annotations = metadata.annotations ?? {};
  const configHash = annotations['kubernetes.io/config.hash'];
  return {
    uid: metadata.uid,
    namespace: metadata.namespace,
    name: metadata.name,
    ...(configHash ? { configHash } : {}),
    annotations,
    containers,
    podIPs: (status?.podIPs ?? []).map(({ ip }) => ip),
  };
}

// The annotations through which a container asks for a profile (the webhook's, §6.3), each `localhost/<profile>`.
const PROFILE_ANNOTATIONS = ['container.seccomp.security.beta.varmor.org/', 'container.apparmor.security.beta.varmor.org/', 'container.apparmor.security.beta.kubernetes.io/', 'container.bpf.security.beta.varmor.org/'];

/** The armorkit profile a container of the pod runs under, from its annotations; undefined when it has none. */
export function containerProfileOf(pod: NodePod, containerName: string): string | undefined {
  for (const prefix of PROFILE_ANNOTATIONS) {
    const value = pod.annotations[`${prefix}${containerName}`];
    if (value?.startsWith('localhost/')) return value.slice('localhost/'.length);
  }
  return undefined;
}

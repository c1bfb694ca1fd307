import { describe, expect, it } from 'vitest';
import { containerIdOfStatus, containerOfCgroupFile, containerOfCgroupPath } from '../src/agent/cgroup-path.js';
import { bpfProfileOf, bpfTargets, locateContainers, type ContainerProcess } from '../src/agent/bpf-plan.js';
import { readNodePod } from '../src/agent/node-pods.js';

const UID = '6f1b5b5e-4b7a-4c1e-9f0e-1d2c3b4a5f60';
const SLICE_UID = UID.replaceAll('-', '_');
const ID = '4c0c8f5d2a1b3e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f';
const HASH = 'f1e2d3c4b5a697887766554433221100';

// /proc/<pid>/cgroup as each runtime, cgroup driver and cgroup version writes it.
const layouts: [string, string, { podUID: string; containerID: string } | undefined][] = [
  ['containerd, systemd driver, cgroup v2', `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${SLICE_UID}.slice/cri-containerd-${ID}.scope\n`, { podUID: UID, containerID: ID }],
  ['containerd, systemd driver, v2, Guaranteed QoS', `0::/kubepods.slice/kubepods-pod${SLICE_UID}.slice/cri-containerd-${ID}.scope\n`, { podUID: UID, containerID: ID }],
  ['containerd, cgroupfs driver, cgroup v2', `0::/kubepods/besteffort/pod${UID}/${ID}\n`, { podUID: UID, containerID: ID }],
  [
    'containerd, cgroupfs driver, cgroup v1 (hybrid)',
    [
      `12:pids:/kubepods/burstable/pod${UID}/${ID}`,
      `11:memory:/kubepods/burstable/pod${UID}/${ID}`,
      `4:cpu,cpuacct:/kubepods/burstable/pod${UID}/${ID}`,
      `1:name=systemd:/kubepods/burstable/pod${UID}/${ID}`,
      '0::/',
      '',
    ].join('\n'),
    { podUID: UID, containerID: ID },
  ],
  ['CRI-O, systemd driver, cgroup v2', `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${SLICE_UID}.slice/crio-${ID}.scope\n`, { podUID: UID, containerID: ID }],
  ['CRI-O, systemd driver, cgroup v1', `10:devices:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${SLICE_UID}.slice/crio-${ID}.scope\n1:name=systemd:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${SLICE_UID}.slice/crio-${ID}.scope\n`, { podUID: UID, containerID: ID }],
  ['CRI-O conmon (the monitor, not the container)', `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${SLICE_UID}.slice/crio-conmon-${ID}.scope\n`, undefined],
  ['cri-dockerd, systemd driver', `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${SLICE_UID}.slice/docker-${ID}.scope\n`, { podUID: UID, containerID: ID }],
  ['kind node (kubelet under /kubelet.slice)', `0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${SLICE_UID}.slice/cri-containerd-${ID}.scope\n`, { podUID: UID, containerID: ID }],
  ['seen from a cgroup namespace', `0::/../../kubepods-besteffort-pod${SLICE_UID}.slice/cri-containerd-${ID}.scope\n`, { podUID: UID, containerID: ID }],
  ['a sub-cgroup inside the container', `0::/kubepods.slice/kubepods-pod${SLICE_UID}.slice/cri-containerd-${ID}.scope/init.scope\n`, { podUID: UID, containerID: ID }],
  ['a static pod (config hash)', `0::/kubepods/burstable/pod${HASH}/${ID}\n`, { podUID: HASH, containerID: ID }],
  ['the pod cgroup itself (no container)', `0::/kubepods.slice/kubepods-pod${SLICE_UID}.slice\n`, undefined],
  ['a host service', '0::/system.slice/containerd.service\n', undefined],
  ['init', '0::/init.scope\n', undefined],
  ['empty', '', undefined],
];

describe('containerOfCgroupFile: pod UID and container id from /proc/<pid>/cgroup', () => {
  it.each(layouts)('%s', (_name, text, expected) => {
    expect(containerOfCgroupFile(text)).toEqual(expected);
  });

  it('needs a 64-hex container id right under the pod', () => {
    expect(containerOfCgroupPath(`/kubepods/pod${UID}/${ID.slice(1)}`)).toBeUndefined();
    expect(containerOfCgroupPath(`/kubepods/pod${UID}/x/${ID}`)).toBeUndefined();
  });

  it('reads the runtimes\' status container ids', () => {
    expect(containerIdOfStatus(`containerd://${ID}`)).toBe(ID);
    expect(containerIdOfStatus(`cri-o://${ID}`)).toBe(ID);
    expect(containerIdOfStatus(`docker://${ID}`)).toBe(ID);
    expect(containerIdOfStatus('containerd://short')).toBeUndefined();
    expect(containerIdOfStatus(undefined)).toBeUndefined();
  });
});

const id = (n: number) => n.toString(16).padStart(64, '0');
const podObject = (uid: string, name: string, annotations: Record<string, string>, statuses: { name: string; id?: number }[]) => ({
  metadata: { uid, name, namespace: 'shop', annotations },
  spec: { containers: statuses.map((status) => ({ name: status.name, image: `${status.name}:1` })) },
  status: {
    containerStatuses: statuses.map((status) => ({ name: status.name, ...(status.id ? { containerID: `containerd://${id(status.id)}` } : {}) })),
    podIPs: [{ ip: '10.0.0.7' }],
  },
});

describe('the BPF plan: which container needs which profile', () => {
  const web = readNodePod(podObject('uid-web', 'web-1', { 'container.bpf.security.beta.varmor.org/nginx': 'localhost/varmor-shop-web', 'container.bpf.security.beta.varmor.org/sidecar': 'unconfined' }, [{ name: 'nginx', id: 1 }, { name: 'sidecar', id: 2 }]))!;
  const starting = readNodePod(podObject('uid-db', 'db-0', { 'container.bpf.security.beta.varmor.org/db': 'localhost/varmor-shop-db' }, [{ name: 'db' }]))!;
  const processes: ContainerProcess[] = [
    { pid: 100, podUID: 'uid-web', containerID: id(1), mountNamespace: 4026532001 },
    { pid: 101, podUID: 'uid-web', containerID: id(1), mountNamespace: 4026532001 },
    { pid: 102, podUID: 'uid-web', containerID: id(2), mountNamespace: 4026532002 },
    // the pause container and a container of a pod not on this node's list
    { pid: 103, podUID: 'uid-web', containerID: id(9), mountNamespace: 4026532009 },
    { pid: 104, podUID: 'uid-gone', containerID: id(5), mountNamespace: 4026532005 },
    // a process that claims web's container from another pod's cgroup
    { pid: 105, podUID: 'uid-other', containerID: id(1), mountNamespace: 4026532010 },
  ];

  it('reads the annotation: localhost/<profile>, unconfined or none', () => {
    expect(bpfProfileOf(web, 'nginx')).toBe('varmor-shop-web');
    expect(bpfProfileOf(web, 'sidecar')).toBeUndefined();
    expect(bpfProfileOf(web, 'other')).toBeUndefined();
  });

  it('locates running containers by mount namespace, each once', () => {
    const located = locateContainers([web, starting], processes);
    expect(located.map((c) => [c.mountNamespace, c.podName, c.containerName])).toEqual([
      [4026532001, 'web-1', 'nginx'],
      [4026532002, 'web-1', 'sidecar'],
    ]);
    expect(located[0]).toMatchObject({ image: 'nginx:1', podIPs: ['10.0.0.7'], containerID: id(1), podUID: 'uid-web' });
    expect(locateContainers([web], processes, 4026532001).map((c) => c.mountNamespace)).toEqual([4026532002]);
  });

  it('targets the annotated containers whose profile the agent has', () => {
    const located = locateContainers([web, starting], processes);
    expect(bpfTargets(located, [web, starting], new Set(['varmor-shop-web'])).map((t) => [t.mountNamespace, t.profileName])).toEqual([[4026532001, 'varmor-shop-web']]);
    expect(bpfTargets(located, [web, starting], new Set())).toEqual([]);
  });

  it('follows a restarted container: a new id and namespace', () => {
    const restarted = readNodePod(podObject('uid-web', 'web-1', web.annotations, [{ name: 'nginx', id: 3 }, { name: 'sidecar', id: 2 }]))!;
    const after = [...processes, { pid: 200, podUID: 'uid-web', containerID: id(3), mountNamespace: 4026532003 }];
    expect(bpfTargets(locateContainers([restarted], after), [restarted], new Set(['varmor-shop-web'])).map((t) => t.mountNamespace)).toEqual([4026532003]);
  });
});

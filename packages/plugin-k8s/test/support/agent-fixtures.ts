// What the agent's tests put in the API double and in a fake /proc: ArmorProfiles compiled from policies, pods on
// nodes, and processes in those pods' containers (cgroup files and ns/mnt links in the kernel's formats).
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '@armorkit/core';
import type { Profile } from '@armorkit/core/schema';
import { parse } from 'yaml';
import type { ApiDouble, KubeObject, ObjectMetadata } from './api-double.js';
import { compilePolicy } from './armor-profile.js';

export const ARMOR_PROFILES = '/apis/crd.varmor.org/v1beta1/armorprofiles';
export const PODS = '/api/v1/pods';
export const POLICIES = '/apis/crd.varmor.org/v1beta1/varmorpolicies';
export const NODE_STATUSES = '/apis/armorkit.dev/v1alpha1/armornodestatuses';

export function policyText(name: string, namespace: string, enforcer: string, extra = ''): string {
  return `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  target:
    kind: Deployment
    selector:
      matchLabels:
        app: ${name}
  policy:
    enforcer: ${enforcer}
    mode: EnhanceProtect
    enhanceProtect:
      hardeningRules:
        - disable-cap-privileged
${extra}`;
}

export function armorProfileObject(engine: Engine, name: string, namespace: string, enforcer: string, extra = ''): { object: { apiVersion: string; kind: string; metadata: ObjectMetadata & { name: string; namespace: string }; spec: { target: unknown; profile: Profile } }; profile: Profile } {
  const { profile } = compilePolicy(engine, policyText(name, namespace, enforcer, extra));
  return {
    profile,
    object: {
      apiVersion: 'crd.varmor.org/v1beta1',
      kind: 'ArmorProfile',
      metadata: { name: profile.name, namespace, ownerReferences: [{ apiVersion: 'crd.varmor.org/v1beta1', kind: 'VarmorPolicy', name, uid: `uid-${name}`, controller: true }] },
      spec: { target: { kind: 'Deployment', selector: { matchLabels: { app: name } } }, profile },
    },
  };
}

export const containerId = (n: number) => n.toString(16).padStart(64, '0');

export interface PodContainer {
  name: string;
  /** Its runtime id number (containerId(n)); absent: not started yet. */
  id?: number;
  bpfProfile?: string;
}

export function podObject(options: { uid: string; name: string; namespace: string; node: string; containers: PodContainer[]; ip?: string }) {
  const annotations = Object.fromEntries(options.containers.filter((c) => c.bpfProfile).map((c) => [`container.bpf.security.beta.varmor.org/${c.name}`, `localhost/${c.bpfProfile}`]));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { uid: options.uid, name: options.name, namespace: options.namespace, annotations },
    spec: { nodeName: options.node, containers: options.containers.map((c) => ({ name: c.name, image: `${c.name}:1` })) },
    status: {
      phase: 'Running',
      ...(options.ip ? { podIP: options.ip, podIPs: [{ ip: options.ip }] } : {}),
      containerStatuses: options.containers.map((c) => ({ name: c.name, ready: c.id !== undefined, restartCount: 0, image: `${c.name}:1`, imageID: '', ...(c.id !== undefined ? { containerID: `containerd://${containerId(c.id)}` } : {}) })),
    },
  };
}

/** A /proc of real-format files: `<pid>/cgroup` and the `<pid>/ns/mnt` link (`mnt:[N]`). */
export class FakeProc {
  private constructor(readonly root: string) {}

  static async create(hostNamespace = 4026531841): Promise<FakeProc> {
    const proc = new FakeProc(await mkdtemp(join(tmpdir(), 'armorkit-proc-')));
    await proc.add(1, '0::/init.scope\n', hostNamespace);
    return proc;
  }

  async add(pid: number, cgroup: string, mountNamespace: number): Promise<void> {
    await mkdir(join(this.root, String(pid), 'ns'), { recursive: true });
    await writeFile(join(this.root, String(pid), 'cgroup'), cgroup);
    await symlink(`mnt:[${mountNamespace}]`, join(this.root, String(pid), 'ns/mnt'));
  }

  /** A process in a pod's container, with the systemd driver's containerd layout on cgroup v2. */
  async addContainer(pid: number, podUID: string, id: number, mountNamespace: number): Promise<void> {
    const slice = podUID.replaceAll('-', '_');
    await this.add(pid, `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${slice}.slice/cri-containerd-${containerId(id)}.scope\n`, mountNamespace);
  }

  async remove(pid: number): Promise<void> {
    await rm(join(this.root, String(pid)), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/** The policy and its ArmorProfile in the double, owned by it (as the controller writes them). */
export function putArmorProfile(api: ApiDouble, engine: Engine, name: string, namespace: string, enforcer: string, extra = ''): ReturnType<typeof armorProfileObject> {
  const policy = api.put(POLICIES, parse(policyText(name, namespace, enforcer, extra)) as KubeObject);
  const fixture = armorProfileObject(engine, name, namespace, enforcer, extra);
  const uid = policy.metadata.uid;
  if (uid === undefined) throw new Error(`the API double stored ${name} without a uid`);
  fixture.object.metadata.ownerReferences = [{ apiVersion: 'crd.varmor.org/v1beta1', kind: 'VarmorPolicy', name, uid, controller: true }];
  api.put(ARMOR_PROFILES, fixture.object);
  return fixture;
}

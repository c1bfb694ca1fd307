// The node agent's kernel side, for real: a "pod" is a process in a mount namespace of its own under a
// kubepods-style cgroup (containerd's layout, cgroup v2). The agent gets one ArmorProfile through the API double
// (served in this process), finds the pod's container, and the kernel denies what the policy denies: BPF-LSM in the
// container's mount namespace, AppArmor through the profile it loaded (a process of the pod started under it, as
// the runtime starts one), seccomp through the file it wrote where the kubelet reads it (a process started under
// that file's filter). Deleting the ArmorProfile lets the same actions through.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, varmorDialect } from '@armorkit/core';
import type { LinuxSeccomp } from '@armorkit/core/schema';
import builtinRules from '@armorkit/builtin-rules';
import { requireKernelLab } from '@armorkit/kernel-lab';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { seccomp } from '@armorkit/plugin-seccomp';
import { compileFilter, runConfined, serializeFilter } from '@armorkit/plugin-seccomp/filter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Task } from '../../../plugin-bpf/test/kernel/support/probe.js';
import { type NodeAgent, startNodeAgent } from '../../src/agent/node-agent.js';
import { armorNodeStatusSchema } from '../../src/node-status/schema.js';
import { ApiDouble } from '../support/api-double.js';
import { ARMOR_PROFILES, containerId, NODE_STATUSES, podObject, PODS, putArmorProfile } from '../support/agent-fixtures.js';

const POD_UID = '5e1f0c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b';
const CONTAINER = 42;
const root = mkdtempSync('/tmp/armorkit-agent-lab-');
const files = { bpf: join(root, 'bpf-secret'), apparmor: join(root, 'apparmor-secret'), other: join(root, 'other') };
const made = { first: join(root, 'made-1'), second: join(root, 'made-2') };
// containerd's cgroup for the pod's container, under the systemd driver's kubepods slices.
const cgroup = `/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_UID.replaceAll('-', '_')}.slice/cri-containerd-${containerId(CONTAINER)}.scope`;

const EXTRA = `      appArmorRawRules:
      - rules: "deny ${files.apparmor} r,"
      bpfRawRules:
        files:
        - {qualifiers: [deny], pattern: "${files.bpf}", permissions: [read]}
      syscallRawRules:
      - names: [mkdir, mkdirat]
        action: SCMP_ACT_ERRNO
`;

let api: ApiDouble;
let agent: NodeAgent;
let pod: Task;
const tasks: Task[] = [];
const log: string[] = [];
const engine = createEngine({
  plugins: [varmorDialect(), apparmor({ profileDirectory: join(root, 'apparmor.d') }), seccomp(), bpf({ diskDevices: [] })],
  rulePacks: [builtinRules],
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A command in the pod's mount namespace (nsenter), as a process the runtime starts in the container. */
function inPod(argv: readonly string[]): { status: number | null; stderr: string } {
  const run = spawnSync('nsenter', ['-t', String(pod.pid), '-m', '--', ...argv], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

beforeAll(async () => {
  requireKernelLab();
  for (const file of Object.values(files)) writeFileSync(file, 'x\n');
  api = await new ApiDouble().start();
  pod = await Task.start({ container: true });
  tasks.push(pod);
  mkdirSync(cgroup, { recursive: true });
  writeFileSync(join(cgroup, 'cgroup.procs'), String(pod.pid));
  expect(readFileSync(`/proc/${pod.pid}/cgroup`, 'utf8')).toContain(`cri-containerd-${containerId(CONTAINER)}.scope`);
});

afterAll(async () => {
  await agent?.stop();
  for (const task of tasks) await task.stop();
  await api?.close();
  // Leaf first: a cgroup goes once it holds no process.
  for (let path = cgroup; path !== '/sys/fs/cgroup'; path = path.slice(0, path.lastIndexOf('/'))) rmdirSync(path);
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the node agent in a real kernel', () => {
  it('confines the pod with the ArmorProfile (BPF, AppArmor, the seccomp file), and the same actions pass once it is deleted', async () => {
    // Nothing applies yet: everything the policy will deny works.
    expect(await pod.run(`open ${files.bpf} r`)).toBe('ok');
    expect(await pod.run(`open ${files.apparmor} r`)).toBe('ok');

    const { profile } = putArmorProfile(api, engine, 'web', 'shop', 'AppArmorBPFSeccomp', EXTRA);
    api.put(PODS, podObject({ uid: POD_UID, name: 'web-0', namespace: 'shop', node: 'lab-node', containers: [{ name: 'app', id: CONTAINER, bpfProfile: profile.name }] }));
    const started = await startNodeAgent({
      engine,
      kubeConfig: api.kubeConfig(),
      node: 'lab-node',
      seccompDirectory: join(root, 'seccomp'),
      rescanInterval: 200,
      log: (line) => log.push(line),
    });
    if ('problem' in started) throw new Error(started.problem);
    agent = started.agent;
    await agent.ready;
    const report = armorNodeStatusSchema.parse(api.get(NODE_STATUSES, 'lab-node')).status!;
    expect({ unavailable: report.unavailable, log }).toMatchObject({ unavailable: undefined });
    // The one profile processed, none failed.
    expect({ count: report.profileCount, failed: report.failed }).toEqual({ count: 1, failed: [] });
    expect(agent.applied()).toEqual({ AppArmor: [profile.name], Seccomp: [profile.name], BPF: [{ mountNamespace: pod.namespace, profileName: profile.name }] });

    // BPF: the container's mount namespace, found from its cgroup; the process that was running is confined now.
    expect(await pod.run(`open ${files.bpf} r`)).toBe('errno 1');
    expect(await pod.run(`open ${files.other} r`)).toBe('ok');
    // AppArmor: a process of the pod started under the profile the agent loaded.
    const confined = await Task.start({ container: false, through: ['nsenter', '-t', String(pod.pid), '-m', '--', 'aa-exec', '-p', profile.name, '--'] });
    tasks.push(confined);
    expect(confined.namespace).toBe(pod.namespace);
    expect(await confined.run(`open ${files.apparmor} r`)).toBe('errno 13');
    expect(await confined.run(`open ${files.other} r`)).toBe('ok');
    // seccomp: the file the kubelet would read, compiled and installed on a process started under it (bwrap, which
    // drops the capabilities nsenter would need: the filter does not depend on the mount namespace).
    const seccompFile = join(root, 'seccomp', profile.name);
    const filter = compileFilter(JSON.parse(readFileSync(seccompFile, 'utf8')) as LinuxSeccomp, 'x86_64');
    expect(filter.errors).toEqual([]);
    const denied = await runConfined({ filter: serializeFilter(filter.program), argv: ['mkdir', made.first] });
    expect(denied).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/Operation not permitted/) });
    expect(existsSync(made.first)).toBe(false);

    api.delete(ARMOR_PROFILES, profile.name, 'shop');
    await until(() => agent.applied().AppArmor.length + agent.applied().Seccomp.length + agent.applied().BPF.length === 0);
    expect(await pod.run(`open ${files.bpf} r`)).toBe('ok');
    // The profile unloaded: the task it confined runs unconfined.
    expect(await confined.run(`open ${files.apparmor} r`)).toBe('ok');
    expect(existsSync(seccompFile)).toBe(false);
    expect(inPod(['mkdir', made.second])).toMatchObject({ status: 0 });
    expect(existsSync(made.second)).toBe(true);
  });
});

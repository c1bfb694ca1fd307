// BehaviorModeling end to end against the API double: the controller makes the modelling ArmorProfile, the node
// agent loads it, reads the node's audit log (seccomp LOG records of a container of the target, attributed through
// the pod's annotation), writes its part, and the controller completes the ArmorProfileModel from it.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { seccomp } from '@armorkit/plugin-seccomp';
import { startNodeAgent } from '../src/agent/node-agent.js';
import { ApiDouble } from './support/api-double.js';
import { FakeProc, podObject, PODS } from './support/agent-fixtures.js';
import { POLICIES, PROFILES, startHarness, until, varmorPolicy } from './support/controller-harness.js';

const MODELS = '/apis/crd.varmor.org/v1beta1/armorprofilemodels';
const PARTS = '/apis/armorkit.dev/v1alpha1/armormodelparts';
const PROFILE = 'varmor-demo-web';
const POD_UID = '11111111-2222-4333-8444-555555555555';
// seccomp LOG records (SECCOMP_RET_LOG = 0x7ffc0000) in kern.log's format; pid 19873 is in the web pod, 9952 in none.
const logRecord = (pid: number, syscall: number, serial: number) =>
  `Dec  1 10:00:01 node-1 kernel: [  270.853767] audit: type=1326 audit(1764583201.502:${serial}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=${pid} comm="python3" exe="/usr/bin/python3" sig=0 arch=c000003e syscall=${syscall} compat=0 ip=0x7f3c012e467b code=0x7ffc0000`;

/** The record labelled with the profile (AppArmor's subj= on the seccomp record): no pod is needed to attribute it. */
const labelled = (syscall: number, serial: number) => logRecord(1, syscall, serial).replace('ses=4294967295 pid=1', `ses=4294967295 subj=${PROFILE} (complain) pid=1`);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A node's fake /proc and scratch directory (AppArmor off: seccomp only), its engine and an empty kern.log. */
async function nodeFiles() {
  const proc = await FakeProc.create();
  cleanup.push(() => proc.close());
  const directory = await mkdtemp(join(tmpdir(), 'armorkit-modeling-'));
  cleanup.push(() => rm(directory, { recursive: true, force: true }));
  writeFileSync(join(directory, 'enabled'), 'N\n');
  const engine = createEngine({ plugins: [varmorDialect(), apparmor({ paths: { enabled: join(directory, 'enabled'), profileDirectory: directory } }), seccomp()], rulePacks: [builtinRules] });
  const auditLog = join(directory, 'kern.log');
  writeFileSync(auditLog, '');
  return { proc, directory, engine, auditLog };
}

describe('BehaviorModeling in a cluster: agent and controller', () => {
  it('the agent records its containers\' events for the duration, writes its part, the final one at the end; the controller completes the model from it', async () => {
    const clock = { now: Date.parse('2026-12-01T10:00:00Z') };
    const api = await new ApiDouble().start();
    cleanup.push(() => api.close());
    const h = await startHarness({ clock: () => new Date(clock.now), modelingGrace: 60_000 }, api);
    cleanup.push(() => h.controller.stop());
    const { proc, directory, engine, auditLog } = await nodeFiles();

    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'Seccomp', mode: 'BehaviorModeling', modelingOptions: { duration: 1 } }));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    const pod = podObject({ uid: POD_UID, name: 'web-1', namespace: 'demo', node: 'node-1', containers: [{ name: 'app', id: 1 }] });
    // What the mutating webhook puts on a target pod of a seccomp policy.
    pod.metadata.annotations = { 'container.seccomp.security.beta.varmor.org/app': `localhost/${PROFILE}` };
    api.put(PODS, pod);
    await proc.addContainer(19873, POD_UID, 1, 4026532101);
    await proc.add(9952, '0::/system.slice/containerd.service\n', 4026531841);
    // The node's printk rate limit: off while the run is recorded, its value back after.
    const ratelimit = join(proc.root, 'sys/kernel/printk_ratelimit');
    mkdirSync(dirname(ratelimit), { recursive: true });
    writeFileSync(ratelimit, '5\n');
    const violationsLog = join(directory, 'violations.log');
    const log: string[] = [];
    const started = await startNodeAgent({
      engine,
      kubeConfig: api.kubeConfig(),
      node: 'node-1',
      seccompDirectory: join(directory, 'seccomp'),
      proc: proc.root,
      violationsLog,
      auditLogs: [auditLog],
      modelWriteInterval: 20,
      clock: () => new Date(clock.now),
      backoff: { initial: 5, max: 20 },
      log: (line) => log.push(line),
    });
    if ('problem' in started) throw new Error(started.problem);
    cleanup.push(() => started.agent.stop());
    await started.agent.ready;
    await until(() => h.statusOf('web').phase === 'Modeling');

    // openat, read, and an execve of a process in no pod (not the profile's: a violation, not behaviour).
    appendFileSync(auditLog, `${logRecord(19873, 257, 1)}\n${logRecord(19873, 0, 2)}\n${logRecord(9952, 59, 3)}\n`);
    const part = () => h.api.list(PARTS).find((object) => (object.spec as { nodeName?: string }).nodeName === 'node-1')?.spec as { final: boolean; revision: number; dynamicResult: { seccomp?: { syscalls?: string[] } } } | undefined;
    await until(() => part()?.dynamicResult.seccomp?.syscalls?.length === 2);
    expect(part()).toMatchObject({ final: false, dynamicResult: { seccomp: { syscalls: ['openat', 'read'] } } });
    expect(readFileSync(ratelimit, 'utf8')).toBe('0');
    const lines = () => (existsSync(violationsLog) ? readFileSync(violationsLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { pid: number }) : []);
    await until(() => lines().length === 1);
    expect(lines().map((line) => line.pid)).toEqual([9952]);
    const model = () => h.api.get(MODELS, PROFILE, 'demo') as { status?: { ready?: boolean; completedNumber?: number }; data?: { dynamicResult?: unknown; profile?: { seccomp?: string } } } | undefined;
    await until(() => (model()?.data?.dynamicResult as { seccomp?: { syscalls?: string[] } } | undefined)?.seccomp?.syscalls?.length === 2);
    expect(model()?.status?.ready).toBe(false);

    // One more syscall, then the minute is over: the agent's final part, and the controller completes the model.
    appendFileSync(auditLog, `${logRecord(19873, 1, 4)}\n`);
    await until(() => part()?.dynamicResult.seccomp?.syscalls?.includes('write'));
    clock.now += 61_000;
    await until(() => h.statusOf('web').phase === 'Completed');
    expect(model()?.status).toMatchObject({ ready: true, completedNumber: 1 });
    expect(model()?.data?.dynamicResult).toEqual({ seccomp: { syscalls: ['openat', 'read', 'write'] } });
    const seccompProfile = JSON.parse(model()!.data!.profile!.seccomp!) as { defaultAction: string; syscalls: { names: string[]; action: string }[] };
    expect(seccompProfile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(seccompProfile.syscalls.flatMap((rule) => rule.names)).toEqual(expect.arrayContaining(['openat', 'read', 'write']));
    expect(log.some((line) => line.includes(`modelling of demo/${PROFILE} ended on this node`))).toBe(true);
    await until(() => readFileSync(ratelimit, 'utf8') === '5');
    // After the run the agent records nothing more: the event goes to violations.log.
    appendFileSync(auditLog, `${logRecord(19873, 2, 5)}\n`);
    await until(() => lines().length === 2);
  });

  it('a restarted agent reads its part back and goes on from it (the model holds what both recorded)', async () => {
    const clock = { now: Date.parse('2026-12-01T10:00:00Z') };
    const api = await new ApiDouble().start();
    cleanup.push(() => api.close());
    const h = await startHarness({ clock: () => new Date(clock.now) }, api);
    cleanup.push(() => h.controller.stop());
    const { proc, directory, engine, auditLog } = await nodeFiles();
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'Seccomp', mode: 'BehaviorModeling', modelingOptions: { duration: 10 } }));
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    const agentOptions = {
      engine,
      kubeConfig: api.kubeConfig(),
      node: 'node-1',
      seccompDirectory: join(directory, 'seccomp'),
      proc: proc.root,
      violationsLog: join(directory, 'violations.log'),
      auditLogs: [auditLog],
      modelWriteInterval: 20,
      clock: () => new Date(clock.now),
      backoff: { initial: 5, max: 20 },
    };
    const first = await startNodeAgent(agentOptions);
    if ('problem' in first) throw new Error(first.problem);
    await first.agent.ready;
    const part = () => h.api.list(PARTS).find((object) => (object.spec as { nodeName?: string }).nodeName === 'node-1')?.spec as { final: boolean; revision: number; dynamicResult: { seccomp?: { syscalls?: string[] } } } | undefined;
    appendFileSync(auditLog, `${labelled(0, 1)}\n${labelled(257, 2)}\n`);
    await until(() => part()?.dynamicResult.seccomp?.syscalls?.length === 2);
    await first.agent.stop();

    const second = await startNodeAgent(agentOptions);
    if ('problem' in second) throw new Error(second.problem);
    cleanup.push(() => second.agent.stop());
    await second.agent.ready;
    appendFileSync(auditLog, `${labelled(1, 3)}\n`);
    await until(() => part()?.dynamicResult.seccomp?.syscalls?.length === 3);
    expect(part()).toMatchObject({ final: false, dynamicResult: { seccomp: { syscalls: ['openat', 'read', 'write'] } } });
    // The revision goes on from the stored one: the controller never sees an older write as the newer.
    expect(part()!.revision).toBeGreaterThan(1);
    clock.now += 10 * 60_000 + 1_000;
    await until(() => part()?.final === true || h.statusOf('web').phase === 'Completed');
    await until(() => h.statusOf('web').phase === 'Completed');
    expect((h.api.get(MODELS, PROFILE, 'demo')?.data as { dynamicResult?: unknown } | undefined)?.dynamicResult).toEqual({ seccomp: { syscalls: ['openat', 'read', 'write'] } });
  });

  it('a run already over when the agent first sees it: nothing recorded, no part written (vArmor starts no modeller then)', async () => {
    const api = await new ApiDouble().start();
    cleanup.push(() => api.close());
    const h = await startHarness({}, api);
    h.api.put(POLICIES, varmorPolicy('web', { enforcer: 'Seccomp', mode: 'BehaviorModeling', modelingOptions: { duration: 1 } }));
    const made = await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    await h.controller.stop();
    h.api.put(PROFILES, { ...made, metadata: { ...made.metadata, annotations: { 'armorkit.dev/modeling-started-at': '2026-01-01T00:00:00Z' } } });
    const { proc, directory, engine, auditLog } = await nodeFiles();
    const violationsLog = join(directory, 'violations.log');
    const started = await startNodeAgent({ engine, kubeConfig: api.kubeConfig(), node: 'node-1', seccompDirectory: join(directory, 'seccomp'), proc: proc.root, violationsLog, auditLogs: [auditLog], modelWriteInterval: 20, backoff: { initial: 5, max: 20 } });
    if ('problem' in started) throw new Error(started.problem);
    await started.agent.ready;
    appendFileSync(auditLog, `${labelled(0, 1)}\n`);
    // Not the modeller's: a violation.
    await until(() => existsSync(violationsLog) && readFileSync(violationsLog, 'utf8').includes(PROFILE));
    // Stopping flushes every modeller: a late one would write its final part now.
    await started.agent.stop();
    expect(api.list(PARTS)).toEqual([]);
  });
});

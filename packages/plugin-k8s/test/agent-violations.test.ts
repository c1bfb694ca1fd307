// violations.log on the node: the agent follows the node's audit log from its end (rotation followed) and writes
// each event of a real audit line (shared/corpus/audit) as vArmor's JSON line, with the pod, container, namespace
// and node its pid resolves to (/proc/<pid>/cgroup → container id → the pod's status), in a fake /proc tree.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, varmorDialect } from '@armorkit/core';
import { AuditLogDecoder, type ViolationEvent } from '@armorkit/core/audit';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { seccomp } from '@armorkit/plugin-seccomp';
import { startNodeAgent } from '../src/agent/node-agent.js';
import { ApiDouble } from './support/api-double.js';
import { containerId, FakeProc, podObject, PODS, putArmorProfile } from './support/agent-fixtures.js';
import { sharedDirectory } from './support/corpus.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function until<T>(check: () => T | undefined | false): Promise<T> {
  for (;;) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const UID_WEB = '11111111-2222-4333-8444-555555555555';
const UID_DB = '66666666-7777-4888-9999-aaaaaaaaaaaa';
/** samples.log, by line number (1-based, as samples.index.tsv numbers them). */
const corpus = readFileSync(join(sharedDirectory(), 'corpus/audit/samples.log'), 'utf8').split('\n');
const LINE = { apparmorBind: corpus[0]!, apparmorMkdir: corpus[1]!, seccompKernLog: corpus[26]!, seccompOther: corpus[30]! };

describe('the agent writes violations.log from the node audit log', () => {
  it('each event of an appended line, with its pod, container, namespace and node; nothing from before it started; rotation followed', async () => {
    const api = await new ApiDouble().start();
    cleanup.push(() => api.close());
    const proc = await FakeProc.create();
    cleanup.push(() => proc.close());
    const directory = await mkdtemp(join(tmpdir(), 'armorkit-violations-'));
    cleanup.push(() => rm(directory, { recursive: true, force: true }));
    writeFileSync(join(directory, 'enabled'), 'N\n');
    const engine = createEngine({
      plugins: [varmorDialect(), apparmor({ paths: { enabled: join(directory, 'enabled'), profileDirectory: directory } }), seccomp()],
      rulePacks: [builtinRules],
    });
    putArmorProfile(api, engine, 'web', 'shop', 'Seccomp');
    api.put(PODS, podObject({ uid: UID_WEB, name: 'web-1', namespace: 'shop', node: 'node-1', containers: [{ name: 'nginx', id: 1 }, { name: 'log', id: 2 }] }));
    api.put(PODS, podObject({ uid: UID_DB, name: 'db-0', namespace: 'data', node: 'node-1', containers: [{ name: 'postgres', id: 3 }] }));
    // The pids of the corpus lines: 19873 in web-1's nginx, 4709 in db-0's postgres; 9952 in no pod.
    await proc.addContainer(19873, UID_WEB, 1, 4026532101);
    await proc.addContainer(4709, UID_DB, 3, 4026532103);
    await proc.add(9952, '0::/system.slice/containerd.service\n', 4026531841);

    const auditLog = join(directory, 'kern.log');
    const missing = join(directory, 'audit.log');
    writeFileSync(auditLog, `${LINE.apparmorBind}\n`);
    const violationsLog = join(directory, 'armorkit/violations.log');
    const log: string[] = [];
    const started = await startNodeAgent({
      engine,
      kubeConfig: api.kubeConfig(),
      node: 'node-1',
      seccompDirectory: join(directory, 'seccomp'),
      proc: proc.root,
      violationsLog,
      auditLogs: [missing, auditLog],
      backoff: { initial: 5, max: 20 },
      log: (line) => log.push(line),
    });
    if ('problem' in started) throw new Error(started.problem);
    cleanup.push(() => started.agent.stop());
    await started.agent.ready;
    expect(log).toContain(`violations.log at ${violationsLog} from ${auditLog}`);

    appendFileSync(auditLog, `${LINE.apparmorMkdir}\n${LINE.seccompKernLog}\n`);
    const lines = () => (existsSync(violationsLog) ? readFileSync(violationsLog, 'utf8').split('\n').filter(Boolean) : []);
    await until(() => lines().length >= 2);
    // A log rotated away and a new one in its place: the new one is read from its start.
    renameSync(auditLog, `${auditLog}.1`);
    writeFileSync(auditLog, `${LINE.seccompOther}\n`);
    await until(() => lines().length >= 3);
    await started.agent.stop();

    const written = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written).toHaveLength(3);
    for (const line of written) {
      // vArmor's fields, in its order (reference §7.3).
      expect(Object.keys(line)).toEqual(['level', 'metadata', 'nodeName', 'podUID', 'podName', 'podNamespace', 'containerID', 'containerName', 'image', 'pid', 'mntNsID', 'eventTimestamp', 'enforcer', 'action', 'profileName', 'policyKind', 'policyName', 'policyNamespace', 'event', 'time', 'message']);
      expect(line).toMatchObject({ level: 'warn', message: 'violation event', nodeName: 'node-1' });
      expect(typeof line.time).toBe('string');
    }
    const decoded = (text: string): ViolationEvent => {
      const events = new AuditLogDecoder(engine.auditRecords).push(Buffer.from(`${text}\n`));
      expect(events).toHaveLength(1);
      return events[0]!;
    };
    const body = (line: Record<string, unknown>) => {
      const { level: _level, time: _time, message: _message, ...rest } = line;
      return rest;
    };
    expect(body(written[0]!)).toEqual({
      ...decoded(LINE.apparmorMkdir),
      nodeName: 'node-1',
      podUID: UID_WEB,
      podName: 'web-1',
      podNamespace: 'shop',
      containerID: containerId(1),
      containerName: 'nginx',
      image: 'nginx:1',
      mntNsID: 4026532101,
    });
    expect(written[0]).toMatchObject({ enforcer: 'AppArmor', action: 'DENIED', pid: 19873, profileName: 'snap.kube-apiserver.daemon' });
    expect(body(written[1]!)).toEqual({
      ...decoded(LINE.seccompKernLog),
      nodeName: 'node-1',
      podUID: UID_DB,
      podName: 'db-0',
      podNamespace: 'data',
      containerID: containerId(3),
      containerName: 'postgres',
      image: 'postgres:1',
      mntNsID: 4026532103,
    });
    expect(written[1]).toMatchObject({ enforcer: 'Seccomp', pid: 4709 });
    // A process in no pod's container: the node only.
    expect(body(written[2]!)).toEqual({ ...decoded(LINE.seccompOther), nodeName: 'node-1' });
    expect(written[2]).toMatchObject({ enforcer: 'Seccomp', pid: 9952 });
  });
});

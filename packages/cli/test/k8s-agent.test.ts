// `armorkit k8s agent` as the bundled process against the API double over HTTP: it loads an ArmorProfile's seccomp
// profile where the kubelet reads it, reports ArmorNodeStatus/<node>, answers /health/readiness, writes a real audit
// line's violation with its pod, and on SIGTERM stops with exit 0.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { seccomp } from '@armorkit/plugin-seccomp';
import { ApiDouble } from '../../plugin-k8s/test/support/api-double.js';
import { profileSetHash } from '../../plugin-k8s/src/node-status/profile-set.js';
import { armorNodeStatusSchema, storedProfileDigest } from '../../plugin-k8s/src/node-status/schema.js';
import { ARMOR_PROFILES, FakeProc, NODE_STATUSES, podObject, PODS, putArmorProfile } from '../../plugin-k8s/test/support/agent-fixtures.js';
import { sharedDirectory } from '../../plugin-k8s/test/support/corpus.js';
import { armorkitProcess } from './cli-process.js';

const repository = new URL('../../../', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'armorkit-agent-cli-'));
const cleanup: (() => Promise<void> | void)[] = [() => rmSync(directory, { recursive: true, force: true })];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const POD_UID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** Line 27 of the audit corpus: a seccomp record (type=1326) in kern.log's syslog format. */
function corpusSeccompLine(): string {
  const line = readFileSync(join(sharedDirectory(), 'corpus/audit/samples.log'), 'utf8').split('\n')[26]!;
  expect(line).toMatch(/kernel: .*type=1326/);
  return line;
}

describe('armorkit k8s agent (the bundle)', () => {
  it('reports ArmorNodeStatus, writes the seccomp file, answers readiness, logs a violation with its pod, stops on SIGTERM', async () => {
    const api = await new ApiDouble().start();
    cleanup.push(() => api.close());
    const proc = await FakeProc.create();
    cleanup.push(() => proc.close());
    const engine = createEngine({ plugins: [varmorDialect(), seccomp()], rulePacks: [builtinRules] });
    const web = putArmorProfile(api, engine, 'web', 'shop', 'Seccomp');
    api.put(PODS, podObject({ uid: POD_UID, name: 'web-1', namespace: 'shop', node: 'node-1', containers: [{ name: 'nginx', id: 7 }] }));
    const line = corpusSeccompLine();
    const pid = Number(/ pid=(\d+)/.exec(line)![1]);
    await proc.addContainer(pid, POD_UID, 7, 4026532207);

    const kubeconfig = join(directory, 'config');
    writeFileSync(kubeconfig, api.kubeConfig().exportConfig(), { mode: 0o600 });
    const seccompDirectory = join(directory, 'seccomp');
    const auditLog = join(directory, 'kern.log');
    writeFileSync(auditLog, '');
    const violationsLog = join(directory, 'log/violations.log');
    // NODE_NAME as the DaemonSet sets it, instead of --node-name.
    const child = armorkitProcess(
      ['k8s', 'agent', '--kubeconfig', kubeconfig, '--readiness', '127.0.0.1:0', '--seccomp-dir', seccompDirectory, '--proc', proc.root, '--audit-log', auditLog, '--violations-log', violationsLog],
      { cwd: repository, env: { ...process.env, NODE_NAME: 'node-1' }, built: true },
    );
    cleanup.push(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const port = await until(() => /readiness on http:\/\/127\.0\.0\.1:(\d+)\/health\/readiness/.exec(stderr)?.[1]);
    const status = await until(() => {
      const object = armorNodeStatusSchema.safeParse(api.get(NODE_STATUSES, 'node-1'));
      return object.success && object.data.status?.profileCount ? object.data.status : undefined;
    });
    expect(status.enforcers).toContain('Seccomp');
    // The one ArmorProfile applied (its set, as the controller hashes it from the stored object), none failed.
    const stored = api.get(ARMOR_PROFILES, web.profile.name, 'shop');
    expect({ set: status.appliedSet, count: status.profileCount, failed: status.failed }).toEqual({ set: profileSetHash([[`shop/${web.profile.name}`, storedProfileDigest(stored)]]), count: 1, failed: [] });
    expect(JSON.parse(readFileSync(join(seccompDirectory, web.profile.name), 'utf8'))).toEqual(JSON.parse(web.profile.seccomp!));

    const readiness = await until(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health/readiness`);
      return response.status === 200 ? response : undefined;
    });
    expect(await readiness.json()).toMatchObject({ ready: true, node: 'node-1', profilesListed: true, podsListed: true });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);

    appendFileSync(auditLog, `${line}\n`);
    const written = await until(() => existsSync(violationsLog) && readFileSync(violationsLog, 'utf8').trim());
    const event = JSON.parse(written) as Record<string, unknown>;
    expect(event).toMatchObject({ level: 'warn', message: 'violation event', enforcer: 'Seccomp', pid, nodeName: 'node-1', podName: 'web-1', podNamespace: 'shop', podUID: POD_UID, containerName: 'nginx', image: 'nginx:1' });
    expect(event.containerID).toMatch(/^0+7$/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('agent stopped (SIGTERM)');
    expect(stderr).not.toMatch(/\n\s+at /);
    // What is loaded stays loaded.
    expect(existsSync(join(seccompDirectory, web.profile.name))).toBe(true);
  });

  it('refuses to start without a node name, saying where one comes from', async () => {
    const env = { ...process.env };
    delete env.NODE_NAME;
    const child = armorkitProcess(['k8s', 'agent', '--readiness', '127.0.0.1:0'], { cwd: repository, env, built: true });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
    expect(stderr.trim()).toBe('armorkit: --node-name: no node name: pass --node-name or set NODE_NAME (the DaemonSet sets it from spec.nodeName through the downward API)');
  });

  it('refuses a bad --readiness with the value and the reason', async () => {
    const child = armorkitProcess(['k8s', 'agent', '--node-name', 'node-1', '--readiness', '9580'], { cwd: repository, env: process.env, built: true });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
    expect(stderr).toContain('armorkit: --readiness: "9580" is not ADDR:PORT (for example 0.0.0.0:3443 or [::1]:3443)');
  });
});

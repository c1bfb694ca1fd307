import { createEngine, failureMessage, varmorDialect, type AuditSource, type LoadResult, type Result } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import builtinRules from '@armorkit/builtin-rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpf } from '../../src/plugin.js';
import { EPERM, closeKernelEnforcer, compileBpf, enhancePolicy, kernelEnforcer } from './support/lab.js';
import { Task } from './support/probe.js';

// The BPF enforcer through the engine's own API, as a node agent uses it: load with a LoadTarget (mount namespace
// and pod addresses), unload, and the ring buffer read as the engine's audit source for BPF.
const engine = createEngine({ plugins: [varmorDialect(), bpf({ diskDevices: [] })], rulePacks: [builtinRules] });
const tasks: Task[] = [];

beforeAll(async () => {
  // Attaches the programs if no earlier file did; this file reads events only through the engine's source.
  await kernelEnforcer();
});
afterAll(async () => {
  for (const task of tasks) await task.stop();
  closeKernelEnforcer();
  // What the engine's BPF backend opened at its first load is let go of here.
  expect(await engine.close()).toEqual({ ok: true, value: undefined, warnings: [] });
});

async function openSource(): Promise<AuditSource> {
  const source = await engine.openAuditSource('BPF');
  if (!source.ok) throw new Error(failureMessage(source));
  return source.value;
}

/** The value of a load or unload that must work. */
async function done(pending: Promise<Result<LoadResult>>): Promise<LoadResult> {
  const result = await pending;
  if (!result.ok) throw new Error(failureMessage(result));
  return result.value;
}

async function drain(source: AuditSource): Promise<ViolationEvent[]> {
  const events: ViolationEvent[] = [];
  for await (const event of source.events({ follow: false })) events.push(event);
  return events;
}

describe('engine.load / unload with a LoadTarget', () => {
  it('pod-self egress rules use the target podAddresses; unload lifts the profile', async () => {
    const task = await Task.start({ container: true });
    tasks.push(task);
    const artifact = compileBpf(
      enhancePolicy('      bpfRawRules:\n        network:\n          egress:\n            toDestinations:\n            - {qualifiers: [deny], ip: pod-self, ports: [{port: 9191}]}\n', 'pod-self'),
    );
    const loaded = await done(engine.load(artifact, { kind: 'host', mountNamespace: task.namespace, podAddresses: ['127.0.0.77'] }));
    expect(loaded.summary).toContain(`mount namespace ${task.namespace}`);
    expect(await task.run('connect 127.0.0.77 9191')).toBe(EPERM);
    expect(await task.run('connect 127.0.0.78 9191')).not.toBe(EPERM);
    // A load without podAddresses leaves them as they were.
    await done(engine.load(artifact, { kind: 'host', mountNamespace: task.namespace }));
    expect(await task.run('connect 127.0.0.77 9191')).toBe(EPERM);
    // An empty list clears them: pod-self then matches nothing.
    await done(engine.load(artifact, { kind: 'host', mountNamespace: task.namespace, podAddresses: [] }));
    expect(await task.run('connect 127.0.0.77 9191')).not.toBe(EPERM);
    await done(engine.load(artifact, { kind: 'host', mountNamespace: task.namespace, podAddresses: ['127.0.0.77'] }));
    const unloaded = await done(engine.unload('BPF', artifact.profileName, { kind: 'host', mountNamespace: task.namespace }));
    expect(unloaded.summary).toContain(`removed ${artifact.profileName}`);
    expect(await task.run('connect 127.0.0.77 9191')).not.toBe(EPERM);
  });

  it('refuses pod addresses that are not one IPv4 and one IPv6 address', async () => {
    const task = await Task.start({ container: true });
    tasks.push(task);
    const artifact = compileBpf(enhancePolicy('      privileged: true\n', 'pod-bad'));
    expect(await engine.load(artifact, { kind: 'host', mountNamespace: task.namespace, podAddresses: ['10.0.0.1', '10.0.0.2'] })).toMatchObject({
      ok: false,
      errors: [{ code: 'bpf-map-operation-failed', message: expect.stringMatching(/at most one IPv4/) }],
    });
    expect(await engine.load(artifact, { kind: 'host', mountNamespace: task.namespace, podAddresses: ['pod.local'] })).toMatchObject({
      ok: false,
      errors: [{ code: 'bpf-map-operation-failed', message: expect.stringMatching(/not an IP address/) }],
    });
  });
});

describe('engine.openAuditSource("BPF")', () => {
  it('returns the denials as ViolationEvents, naming the profile even after it was removed', async () => {
    const source = await openSource();
    try {
      await drain(source); // what earlier files left in the ring buffer
      const task = await Task.start({ container: true });
      tasks.push(task);
      const artifact = compileBpf(
        enhancePolicy('      privileged: true\n      bpfRawRules:\n        files:\n        - {qualifiers: [deny, audit], pattern: /etc/hostname, permissions: [read]}\n', 'channel'),
      );
      await done(engine.load(artifact, { kind: 'host', mountNamespace: task.namespace }));
      expect(await task.run('open /etc/hostname r')).toBe(EPERM);
      await done(engine.unload('BPF', artifact.profileName, { kind: 'host', mountNamespace: task.namespace }));
      expect(await task.run('open /etc/hostname r')).toBe('ok');

      const events = (await drain(source)).filter((e) => e.mntNsID === task.namespace);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        enforcer: 'BPF',
        action: 'DENIED',
        pid: task.pid,
        profileName: artifact.profileName,
        event: { operation: 'File', path: '/etc/hostname', permissions: ['read'] },
      });
    } finally {
      source.close();
    }
  });

  it('with follow, yields an event caused after it started waiting, and stops when aborted', async () => {
    const source = await openSource();
    const abort = new AbortController();
    try {
      await drain(source);
      const task = await Task.start({ container: true });
      tasks.push(task);
      const artifact = compileBpf(
        enhancePolicy('      privileged: true\n      bpfRawRules:\n        files:\n        - {qualifiers: [deny, audit], pattern: /etc/hostname, permissions: [read]}\n', 'follow'),
      );
      await done(engine.load(artifact, { kind: 'host', mountNamespace: task.namespace }));
      const first = (async () => {
        for await (const event of source.events({ follow: true, signal: abort.signal })) if (event.mntNsID === task.namespace) return event;
        return undefined;
      })();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await task.run('open /etc/hostname r')).toBe(EPERM);
      const event = await first;
      expect(event?.profileName).toBe(artifact.profileName);
      // Nothing more comes: an aborted follower ends instead of waiting forever.
      const rest = (async () => {
        for await (const _ of source.events({ follow: true, signal: abort.signal })) void _;
        return 'ended';
      })();
      abort.abort();
      expect(await rest).toBe('ended');
      await done(engine.unload('BPF', artifact.profileName, { kind: 'host', mountNamespace: task.namespace }));
    } finally {
      source.close();
    }
  });
});

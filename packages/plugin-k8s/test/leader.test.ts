// Leader election against the API double: one Lease, two replicas, never both leading; the controller acts only
// in the leader.
import { afterEach, describe, expect, it } from 'vitest';
import { type Manager, startManager } from '../src/controller/manager.js';
import { type LeaderElector, startLeaderElection } from '../src/leader/lease.js';
import { ApiDouble } from './support/api-double.js';
import { engine, LEASES, POLICIES, PROFILES, reportNode, until, varmorPolicy } from './support/controller-harness.js';

const TIMINGS = { leaseDuration: 300, renewDeadline: 200, retryPeriod: 40 };

let api: ApiDouble | undefined;
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.stop()));
  await api?.close();
  api = undefined;
});

function elector(double: ApiDouble, identity: string, transitions: string[], token?: string): LeaderElector {
  const started = startLeaderElection({
    kubeConfig: double.kubeConfig(token),
    namespace: 'armorkit',
    name: 'armorkit-manager',
    identity,
    ...TIMINGS,
    onStartedLeading: () => transitions.push(`${identity} leads`),
    onStoppedLeading: () => transitions.push(`${identity} stops`),
  });
  running.push(started);
  return started;
}

describe('leader election on a coordination.k8s.io/v1 Lease', () => {
  it('one of two replicas leads; the other takes over at once when the leader gives the Lease up', async () => {
    api = await new ApiDouble().start();
    const transitions: string[] = [];
    const a = elector(api, 'a', transitions);
    await until(() => a.isLeader());
    const b = elector(api, 'b', transitions);
    await until(() => b.observedHolder() === 'a');
    // Several renewals later, still one leader.
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.leaseDuration * 2));
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    const lease = api.get(LEASES, 'armorkit-manager', 'armorkit')!;
    expect(lease.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect((lease.spec as { renewTime: string }).renewTime).toMatch(/\.\d{6}Z$/);
    await a.stop();
    await until(() => b.isLeader());
    expect(transitions).toEqual(['a leads', 'a stops', 'b leads']);
    expect(api.get(LEASES, 'armorkit-manager', 'armorkit')!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a leader cut off from the API server stops leading by itself; the other replica takes over once the lease expired', async () => {
    api = await new ApiDouble().start();
    const transitions: string[] = [];
    const leaders = () => [a, b].filter((candidate) => candidate.isLeader()).length;
    const a = elector(api, 'a', transitions, 'token-a');
    await until(() => a.isLeader());
    const b = elector(api, 'b', transitions, 'token-b');
    await until(() => b.observedHolder() === 'a');
    // Every request of a fails from now on (a partitioned replica): it must stop before b may start.
    api.inject({ token: 'token-a', code: 503, reason: 'ServiceUnavailable', times: Number.MAX_SAFE_INTEGER });
    let both = false;
    await until(() => {
      if (leaders() > 1) both = true;
      return b.isLeader();
    });
    expect(both).toBe(false);
    expect(transitions).toEqual(['a leads', 'a stops', 'b leads']);
    expect(api.get(LEASES, 'armorkit-manager', 'armorkit')!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a comes back: it sees b's lease being renewed and stays a follower.
    api.clearFaults();
    await until(() => a.observedHolder() === 'b');
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.leaseDuration));
    expect([a.isLeader(), b.isLeader()]).toEqual([false, true]);
  });
});

describe('two managers', () => {
  it('only the leader\'s controller acts; when it stops, the other replica takes over and carries on', async () => {
    api = await new ApiDouble().start();
    const log: string[] = [];
    const manager = (identity: string): Manager => {
      const started = startManager({
        engine,
        kubeConfig: api!.kubeConfig(),
        namespace: 'armorkit',
        identity,
        verify: false,
        debounce: 10,
        retryInitial: 5,
        backoff: { initial: 5, max: 40 },
        log: (line) => log.push(line),
        ...TIMINGS,
      });
      running.push(started);
      return started;
    };
    reportNode(api, 'node-1', []);
    const first = manager('first');
    await until(() => first.isLeader());
    const second = manager('second');
    api.put(POLICIES, varmorPolicy('web'));
    await until(() => api!.get(PROFILES, 'varmor-demo-web', 'demo'));
    await first.controller()!.idle();
    expect(second.isLeader()).toBe(false);
    expect(second.controller()).toBeUndefined();
    await first.stop();
    await until(() => second.controller());
    await second.controller()!.ready;
    // The new leader picks up from the caches: a node report reaches the policy's status.
    const profile = (api.get(PROFILES, 'varmor-demo-web', 'demo')!.spec as { profile: Parameters<typeof reportNode>[2][number]['profile'] }).profile;
    reportNode(api, 'node-1', [{ namespace: 'demo', name: 'varmor-demo-web', profile }]);
    await until(() => (api!.get(POLICIES, 'web', 'demo')!.status as { phase?: string } | undefined)?.phase === 'Protecting');
    expect(first.isLeader()).toBe(false);
  });
});

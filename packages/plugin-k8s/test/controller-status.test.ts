// The pure status functions: what the controller writes, without an API.
import { describe, expect, it } from 'vitest';
import { policyStatus } from '../src/controller/policy-status.js';
import { aggregateLoads, armorProfileStatus, nodesHolding, type ProfileLoads } from '../src/controller/profile-status.js';

const DIGEST = 'a'.repeat(64);
const KEY = 'demo/varmor-demo-web';
const failure = { namespace: 'demo', name: 'varmor-demo-web', digest: DIGEST, message: 'BPF: the BPF LSM is not active', lastTransitionTime: '2026-12-02T08:00:00Z' };
type NodeLoadState = { state: 'current' } | { state: 'failed'; failure: typeof failure } | { state: 'waiting' };
/** What the nodes said, as NodeReports answers it. */
const states: Record<string, NodeLoadState> = { n1: { state: 'current' }, n2: { state: 'failed', failure }, n3: { state: 'waiting' }, gone: { state: 'current' } };
const reports: ProfileLoads = {
  loadsOn(nodes, key, digest) {
    const waiting: NodeLoadState = { state: 'waiting' };
    const on = [...nodes].map((node) => ({ node, load: key === KEY && digest === DIGEST ? (states[node] ?? waiting) : waiting }));
    return {
      current: on.filter(({ load }) => load.state === 'current').length,
      failed: on.flatMap(({ node, load }) => (load.state === 'failed' ? [{ node, failure: load.failure }] : [])),
    };
  },
  holds: (node) => node === 'n3',
};

describe('aggregateLoads / armorProfileStatus', () => {
  it('counts only live nodes and this version; a condition per failed node', () => {
    const loads = aggregateLoads(KEY, DIGEST, reports, new Set(['n1', 'n2', 'n3', 'n4']));
    expect(loads).toMatchObject({ desired: 4, current: 1, waiting: 2 });
    expect(armorProfileStatus(loads)).toEqual({
      desiredNumberLoaded: 4,
      currentNumberLoaded: 1,
      conditions: [{ type: 'Ready', status: 'False', nodeName: 'n2', reason: 'LoadFailed', message: 'BPF: the BPF LSM is not active', lastTransitionTime: '2026-12-02T08:00:00Z' }],
    });
    expect(aggregateLoads(KEY, 'b'.repeat(64), reports, new Set(['n1', 'n2']))).toMatchObject({ desired: 2, current: 0, waiting: 2 });
  });

  it('nodesHolding: the live nodes that may still hold a deleted profile, sorted', () => {
    expect(nodesHolding(KEY, reports, new Set(['n1', 'n3']))).toEqual(['n3']);
  });
});

describe('policyStatus', () => {
  const loads = (current: number, desired: number, failed = 0) => ({
    desired,
    current,
    waiting: desired - current - failed,
    failed: Array.from({ length: failed }, (_, i) => ({ node: `node-${i}`, message: 'AppArmor: apparmor_parser failed', since: 'x' })),
  });
  const applied = (change: 'created' | 'updated' | 'unchanged', l = loads(0, 2)) => ({ kind: 'applied' as const, profileName: 'p', change, profile: 'demo/p', loads: l, modeling: false });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = policyStatus(undefined, applied('created'), 'T1');
    const second = policyStatus(first, applied('unchanged', loads(1, 2)), 'T2');
    expect(second.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: 'T1', message: 'loaded on 1 of 2 nodes' });
    const third = policyStatus(second, applied('unchanged', loads(2, 2)), 'T3');
    expect(third).toMatchObject({ phase: 'Protecting', ready: true });
    expect(third.conditions!.map((c) => `${c.type}=${c.status}@${c.lastTransitionTime}`)).toEqual(['Created=True@T1', 'Ready=True@T3']);
  });

  it('names at most five failed nodes, then how many more', () => {
    const status = policyStatus(undefined, applied('unchanged', loads(0, 9, 7)), 'T');
    const message = status.conditions!.find((c) => c.type === 'Ready')!.message!;
    expect(status.phase).toBe('Error');
    expect(message).toContain('on 7 of 9 nodes (node node-0: AppArmor: apparmor_parser failed;');
    expect(message).toContain('node node-4');
    expect(message).not.toContain('node node-5');
    expect(message).toContain('and 2 more nodes');
  });

  it('a refused update keeps Created and says the previous profile stays loaded', () => {
    const before = policyStatus(undefined, applied('created', loads(2, 2)), 'T1');
    const after = policyStatus(before, { kind: 'refused', reason: 'Forbidden', message: '/spec/policy/mode: invalid' }, 'T2');
    expect(after).toMatchObject({ phase: 'Error', ready: false, profileName: 'p' });
    expect(after.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['Created=True', 'Updated=False', 'Ready=False']);
    expect(after.conditions![1]!.message).toBe('/spec/policy/mode: invalid (the previous profile stays loaded)');
  });
});

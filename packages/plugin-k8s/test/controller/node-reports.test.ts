// The node reports' contract: a node names the set of profiles it applied by a hash; the controller's history of
// the sets its cache went through turns that hash into a step, and the step into each profile's state on the node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeReports } from '../../src/controller/node-reports.js';
import { ProfileHistory } from '../../src/controller/profile-history.js';
import { profileSetHash, ProfileSet } from '../../src/node-status/profile-set.js';
import { NODE_STATUS_API_VERSION, NODE_STATUS_KIND } from '../../src/node-status/schema.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const NOW = Date.parse('2026-12-03T10:00:00Z');

/** An ArmorNodeStatus for a node that applied these `[key, digest]` entries, the `failed` ones among them failing. */
function nodeStatus(node: string, entries: [string, string][], failed: string[] = [], heartbeat = NOW) {
  return {
    apiVersion: NODE_STATUS_API_VERSION,
    kind: NODE_STATUS_KIND,
    metadata: { name: node },
    status: {
      enforcers: ['AppArmor'],
      appliedSet: profileSetHash(entries),
      profileCount: entries.length,
      failed: entries
        .filter(([key]) => failed.includes(key))
        .map(([key, digest]) => ({ namespace: key.split('/')[0]!, name: key.split('/')[1]!, digest, message: 'AppArmor: refused', lastTransitionTime: '2026-12-03T10:00:00Z' })),
      heartbeatTime: new Date(heartbeat).toISOString(),
    },
  };
}

describe('ProfileSet', () => {
  it('hashes a set whatever the order it was built in, and undoes a removal exactly', () => {
    const entry = fc.tuple(fc.constantFrom('demo/a', 'demo/b', 'shop/c', 'x/y'), fc.constantFrom(A, B));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const unique = [...new Map(entries).entries()];
        expect(profileSetHash(unique)).toBe(profileSetHash([...unique].reverse()));
        const set = new ProfileSet();
        for (const [key, digest] of unique) set.set(key, digest);
        set.set('other/z', A);
        set.set('other/z', undefined);
        expect(set.hash).toBe(profileSetHash(unique));
      }),
    );
    expect(profileSetHash([])).toBe('0000000000000000');
    expect(profileSetHash([['demo/a', A]])).not.toBe(profileSetHash([['demo/a', B]]));
  });
});

/** How one version of a profile stands on one node, from NodeReports.loadsOn. */
function state(reports: NodeReports, node: string, key: string, digest: string) {
  const { current, failed } = reports.loadsOn(new Set([node]), key, digest);
  return failed[0] ? { state: 'failed', failure: failed[0].failure } : current === 1 ? { state: 'current' } : { state: 'waiting' };
}

describe('NodeReports over the ProfileHistory', () => {
  const setUp = () => {
    const history = new ProfileHistory();
    const reports = new NodeReports(history, 60_000);
    return { history, reports };
  };

  it('a node at a step holds every profile version of that step; one behind waits for what changed since', () => {
    const { history, reports } = setUp();
    history.update('demo/a', A);
    history.update('demo/b', A);
    reports.update(nodeStatus('n1', [['demo/a', A], ['demo/b', A]]), NOW);
    reports.update(nodeStatus('n2', [['demo/a', A]]), NOW);
    expect(state(reports, 'n1', 'demo/b', A)).toEqual({ state: 'current' });
    expect(state(reports, 'n2', 'demo/a', A)).toEqual({ state: 'current' });
    expect(state(reports, 'n2', 'demo/b', A)).toEqual({ state: 'waiting' });
    // demo/a changes: both wait for it; n1 catches up and the change names demo/a only.
    history.update('demo/a', B);
    expect(state(reports, 'n1', 'demo/a', B)).toEqual({ state: 'waiting' });
    const change = reports.update(nodeStatus('n1', [['demo/a', B], ['demo/b', A]]), NOW);
    expect(change).toEqual({ profiles: new Set(['demo/a']), all: false });
    expect(state(reports, 'n1', 'demo/a', B)).toEqual({ state: 'current' });
    // A version the history has not reached (the controller just wrote it) is nobody's yet.
    expect(state(reports, 'n1', 'demo/a', 'c'.repeat(64))).toEqual({ state: 'waiting' });
  });

  it('a failure counts for the digest it names only', () => {
    const { history, reports } = setUp();
    history.update('demo/a', A);
    reports.update(nodeStatus('n1', [['demo/a', A]], ['demo/a']), NOW);
    expect(state(reports, 'n1', 'demo/a', A)).toMatchObject({ state: 'failed', failure: { message: 'AppArmor: refused' } });
    history.update('demo/a', B);
    expect(state(reports, 'n1', 'demo/a', B)).toEqual({ state: 'waiting' });
  });

  it('a node ahead of the controller\'s watch keeps its last known step, and moves when the history gets there', () => {
    const { history, reports } = setUp();
    history.update('demo/a', A);
    reports.update(nodeStatus('n1', [['demo/a', A]]), NOW);
    // The agent saw demo/b before the controller did: demo/a stays current on it, demo/b waits.
    reports.update(nodeStatus('n1', [['demo/a', A], ['demo/b', A]]), NOW);
    expect(state(reports, 'n1', 'demo/a', A)).toEqual({ state: 'current' });
    history.update('demo/b', A);
    expect(state(reports, 'n1', 'demo/b', A)).toEqual({ state: 'waiting' });
    expect(reports.historyMoved()).toEqual({ profiles: new Set(['demo/b']), all: false });
    expect(state(reports, 'n1', 'demo/b', A)).toEqual({ state: 'current' });
  });

  it('a deleted profile is held until the node reports a set without it; a stale node does not count', () => {
    const { history, reports } = setUp();
    history.update('demo/a', A);
    reports.update(nodeStatus('n1', [['demo/a', A]]), NOW);
    reports.update(nodeStatus('n2', [['demo/a', A]], [], NOW - 120_000), NOW);
    history.update('demo/a', undefined);
    expect(reports.holds('n1', 'demo/a')).toBe(true);
    reports.update(nodeStatus('n1', []), NOW);
    expect(reports.holds('n1', 'demo/a')).toBe(false);
    expect([...reports.liveNodes(NOW)]).toEqual(['n1']);
  });

  it('a node that never matched a known set waits for everything; a node joining or leaving concerns every profile', () => {
    const { history, reports } = setUp();
    history.update('demo/a', A);
    expect(reports.update(nodeStatus('n1', [['demo/z', A]]), NOW)).toEqual({ profiles: new Set(), all: true });
    expect(state(reports, 'n1', 'demo/a', A)).toEqual({ state: 'waiting' });
    expect(reports.holds('n1', 'demo/a')).toBe(true);
    expect(reports.remove('n1', NOW)).toEqual({ profiles: new Set(), all: true });
  });

  it('forgets old steps past its limit: a node further behind counts as behind on every profile', () => {
    const history = new ProfileHistory(4);
    const reports = new NodeReports(history, 60_000);
    history.update('demo/a', A);
    reports.update(nodeStatus('n1', [['demo/a', A]]), NOW);
    for (let index = 0; index < 6; index++) history.update(`demo/p${index}`, A);
    expect(history.stepOf(profileSetHash([['demo/a', A]]))).toBeUndefined();
    expect(state(reports, 'n1', 'demo/a', A)).toEqual({ state: 'current' });
    const all = (['demo/a', ...Array.from({ length: 6 }, (_, index) => `demo/p${index}`)] as const).map((key): [string, string] => [key, A]);
    expect(reports.update(nodeStatus('n1', all), NOW)).toEqual({ profiles: new Set(), all: true });
    expect(state(reports, 'n1', 'demo/p5', A)).toEqual({ state: 'current' });
  });

  it('reachedByAll: the lowest step of the live nodes (failed or loaded, stale nodes aside), kept as nodes move, join, leave or catch up', () => {
    const { history, reports } = setUp();
    expect(reports.reachedByAll(NOW)).toBeUndefined();
    history.update('demo/a', A);
    const b = history.update('demo/b', A)!;
    reports.update(nodeStatus('n1', [['demo/a', A], ['demo/b', A]]), NOW);
    reports.update(nodeStatus('n2', [['demo/a', A]]), NOW);
    expect(reports.reachedByAll(NOW)).toBe(b - 1);
    // A failure is a report too: n2 at demo/b's step, failing it.
    reports.update(nodeStatus('n2', [['demo/a', A], ['demo/b', A]], ['demo/b']), NOW);
    expect(reports.reachedByAll(NOW)).toBe(b);
    // A node whose heartbeat aged out does not hold the others back; one that joins with an unknown set does.
    reports.update(nodeStatus('n3', [], [], NOW - 120_000), NOW);
    expect(reports.reachedByAll(NOW)).toBe(b);
    reports.update(nodeStatus('n4', [['demo/z', A]]), NOW);
    expect(reports.reachedByAll(NOW)).toBe(-1);
    reports.remove('n4', NOW);
    expect(reports.reachedByAll(NOW)).toBe(b);
    // n1 reports a set before the controller's watch has it: it counts from the step the history reaches it at.
    reports.update(nodeStatus('n1', [['demo/a', A], ['demo/b', A], ['demo/c', A]]), NOW);
    const c = history.update('demo/c', A)!;
    reports.historyMoved();
    reports.update(nodeStatus('n2', [['demo/a', A], ['demo/b', A], ['demo/c', A]]), NOW);
    expect(reports.reachedByAll(NOW)).toBe(c);
    expect(reports.reachedByAll(NOW + 120_000)).toBeUndefined();
  });
});

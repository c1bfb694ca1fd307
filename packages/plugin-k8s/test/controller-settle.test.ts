// Node reports are gathered into waves before the policies they concern are reconciled; a profile every live node
// has reported (loaded or failed) is reconciled at once, without the quiet window. The window here is ten minutes:
// only the early settle can make the policy Ready within the test's timeout.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiDouble } from './support/api-double.js';
import { type Harness, POLICIES, PROFILES, reportNode, startHarness, until, varmorPolicy } from './support/controller-harness.js';

const PROFILE = 'varmor-demo-web';
const TEN_MINUTES = 600_000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.controller.stop();
  await harness?.api.close();
  harness = undefined;
});

/** Three nodes (listed before the controller starts; `stale` ones with a heartbeat older than the node timeout), a policy, and its ArmorProfile Pending on the live ones. */
async function pendingOnThreeNodes(stale: string[] = []) {
  const api = await new ApiDouble().start();
  for (const node of ['node-1', 'node-2', 'node-3']) reportNode(api, node, [], stale.includes(node) ? new Date(Date.now() - 10 * 60_000) : new Date());
  const h = (harness = await startHarness({ debounce: TEN_MINUTES, debounceMax: TEN_MINUTES }, api));
  h.api.put(POLICIES, varmorPolicy('web'));
  await until(() => h.statusOf('web').conditions?.find((condition) => condition.type === 'Ready')?.message === `loaded on 0 of ${3 - stale.length} nodes`);
  // The watch events of the controller's own writes reconcile the policy again (not debounced): let them pass first.
  await h.controller.idle();
  return { h, profile: h.profileOf(PROFILE) };
}

/** The ArmorProfile status writes the controller made, in order. */
const profileStatusWrites = (h: Harness) => h.api.calls.filter((call) => call.method === 'PUT' && call.path.endsWith(`/armorprofiles/${PROFILE}/status`)).map((call) => (call.body as { status?: unknown }).status);

describe('controller: a wave of node reports', () => {
  it('is reconciled as soon as every live node has reported the profile; a partial wave waits', async () => {
    const { h, profile } = await pendingOnThreeNodes();
    const before = profileStatusWrites(h).length;
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile }]);
    reportNode(h.api, 'node-2', [{ namespace: 'demo', name: PROFILE, profile }]);
    // Two of three: the wave waits for its quiet window (ten minutes), so nothing is written meanwhile.
    await sleep(300);
    expect(profileStatusWrites(h).slice(before)).toEqual([]);
    expect(h.statusOf('web')).toMatchObject({ phase: 'Pending', ready: false });
    reportNode(h.api, 'node-3', [{ namespace: 'demo', name: PROFILE, profile }]);
    await until(() => h.statusOf('web').phase === 'Protecting');
    expect(h.statusOf('web')).toMatchObject({ ready: true });
    // One reconcile for the whole wave: one status write, with every node counted.
    expect(profileStatusWrites(h).slice(before)).toEqual([{ desiredNumberLoaded: 3, currentNumberLoaded: 3 }]);
    expect(h.api.get(PROFILES, PROFILE, 'demo')!.status).toEqual({ desiredNumberLoaded: 3, currentNumberLoaded: 3 });
  });

  it('a node that failed the profile has reported it too: Error at once, naming the node', async () => {
    const { h, profile } = await pendingOnThreeNodes();
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile }]);
    reportNode(h.api, 'node-2', [{ namespace: 'demo', name: PROFILE, profile, state: 'failed', message: 'AppArmor: apparmor_parser refused the profile' }]);
    reportNode(h.api, 'node-3', [{ namespace: 'demo', name: PROFILE, profile }]);
    await until(() => h.statusOf('web').phase === 'Error');
    expect(h.statusOf('web').conditions?.find((condition) => condition.type === 'Ready')?.message).toContain('node-2');
    expect(h.api.get(PROFILES, PROFILE, 'demo')!.status).toMatchObject({ desiredNumberLoaded: 3, currentNumberLoaded: 2 });
  });

  it('a node that has not reported (a stale one aside) holds the wave back', async () => {
    // node-3's agent is gone (its heartbeat is older than the node timeout): it does not count, nor hold anyone back.
    const { h, profile } = await pendingOnThreeNodes(['node-3']);
    reportNode(h.api, 'node-1', [{ namespace: 'demo', name: PROFILE, profile }]);
    await sleep(300);
    expect(h.statusOf('web').phase).toBe('Pending');
    reportNode(h.api, 'node-2', [{ namespace: 'demo', name: PROFILE, profile }]);
    await until(() => h.statusOf('web').phase === 'Protecting');
    expect(h.api.get(PROFILES, PROFILE, 'demo')!.status).toEqual({ desiredNumberLoaded: 2, currentNumberLoaded: 2 });
  });
});

// The API double's own semantics, through client-node as the controller and agent use it: the tests built on the
// double are only as good as its resemblance to an API server.
import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiDouble } from './support/api-double.js';

const group = 'crd.varmor.org';
const version = 'v1beta1';
const plural = 'armorprofiles';
const PROFILES = `/apis/${group}/${version}/${plural}`;

let api: ApiDouble | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start() {
  api = await new ApiDouble().start();
  const kc = api.kubeConfig();
  return { api, objects: kc.makeApiClient(CustomObjectsApi), core: kc.makeApiClient(CoreV1Api), watch: new Watch(kc) };
}

const profile = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: `${group}/${version}`,
  kind: 'ArmorProfile',
  metadata: { name, namespace: 'ns', ...extra },
  spec: { profile: { name, enforcer: 'AppArmor', mode: 'enforce' } },
  status: { desiredNumberLoaded: 9 },
});

async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

type Stored = { metadata: { resourceVersion: string; generation: number; uid: string; deletionTimestamp?: string; finalizers?: string[] }; spec: unknown; status?: unknown };

describe('ApiDouble', () => {
  it('create, 409 AlreadyExists, replace with resourceVersion check, status subresource', async () => {
    const { objects } = await start();
    const created = (await objects.createNamespacedCustomObject({ group, version, plural, namespace: 'ns', body: profile('a') })) as Stored;
    expect(created.status).toBeUndefined(); // status of a create is reset under a status subresource
    expect(await codeOf(objects.createNamespacedCustomObject({ group, version, plural, namespace: 'ns', body: profile('a') }))).toBe(409);
    const changed = { ...profile('a'), metadata: { name: 'a', namespace: 'ns', resourceVersion: created.metadata.resourceVersion }, spec: { x: 1 } };
    const replaced = (await objects.replaceNamespacedCustomObject({ group, version, plural, namespace: 'ns', name: 'a', body: changed })) as Stored;
    expect(replaced.metadata.generation).toBe(2);
    expect(replaced.status).toBeUndefined();
    expect(await codeOf(objects.replaceNamespacedCustomObject({ group, version, plural, namespace: 'ns', name: 'a', body: changed }))).toBe(409);
    const status = { ...changed, metadata: { ...changed.metadata, resourceVersion: replaced.metadata.resourceVersion }, spec: { ignored: true }, status: { currentNumberLoaded: 1 } };
    const withStatus = (await objects.replaceNamespacedCustomObjectStatus({ group, version, plural, namespace: 'ns', name: 'a', body: status })) as Stored;
    expect(withStatus.spec).toEqual({ x: 1 });
    expect(withStatus.status).toEqual({ currentNumberLoaded: 1 });
    expect(withStatus.metadata.generation).toBe(2);
    // A write that changes nothing keeps the resourceVersion.
    const again = (await objects.replaceNamespacedCustomObjectStatus({ group, version, plural, namespace: 'ns', name: 'a', body: { ...status, metadata: { ...status.metadata, resourceVersion: withStatus.metadata.resourceVersion } } })) as Stored;
    expect(again.metadata.resourceVersion).toBe(withStatus.metadata.resourceVersion);
  });

  it('merge patch and JSON patch; a failed test operation refuses the patch', async () => {
    const { objects } = await start();
    await objects.createNamespacedCustomObject({ group, version, plural, namespace: 'ns', body: profile('a', { labels: { keep: 'yes', drop: 'yes' } }) });
    const merged = (await objects.patchNamespacedCustomObject(
      { group, version, plural, namespace: 'ns', name: 'a', body: { metadata: { labels: { drop: null, added: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { labels: Record<string, string> } };
    expect(merged.metadata.labels).toEqual({ keep: 'yes', added: 'yes' });
    const body = [{ op: 'test', path: '/metadata/labels/keep', value: 'no' }, { op: 'remove', path: '/metadata/labels/keep' }];
    expect(await codeOf(objects.patchNamespacedCustomObject({ group, version, plural, namespace: 'ns', name: 'a', body }))).toBe(422);
    const patched = (await objects.patchNamespacedCustomObject({ group, version, plural, namespace: 'ns', name: 'a', body: [{ op: 'remove', path: '/metadata/labels/keep' }] })) as {
      metadata: { labels: Record<string, string> };
    };
    expect(patched.metadata.labels).toEqual({ added: 'yes' });
  });

  it('finalizers hold a deleted object until the last one goes; dependents are collected with their owner', async () => {
    const { api, objects, core } = await start();
    const owner = (await objects.createNamespacedCustomObject({ group, version, plural, namespace: 'ns', body: profile('owner', { finalizers: ['test/hold'] }) })) as Stored;
    const ownerReferences = [{ apiVersion: `${group}/${version}`, kind: 'ArmorProfile', name: 'owner', uid: owner.metadata.uid, controller: true }];
    await core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: 'dependent', ownerReferences }, data: {} } });
    const deleting = (await objects.deleteNamespacedCustomObject({ group, version, plural, namespace: 'ns', name: 'owner' })) as Stored;
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(api.get(PROFILES, 'owner', 'ns')).toBeDefined();
    await objects.patchNamespacedCustomObject({ group, version, plural, namespace: 'ns', name: 'owner', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    expect(api.get(PROFILES, 'owner', 'ns')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.get('/api/v1/secrets', 'dependent', 'ns')).toBeUndefined();
  });

  it('a label-selector watch sees an object leave and enter the selection; bookmarks; 410 Gone from a compacted version', async () => {
    const { api, watch } = await start();
    api.put(PROFILES, profile('a', { labels: { app: 'web' } }));
    const from = api.get(PROFILES, 'a', 'ns')!.metadata.resourceVersion!;
    const seen: string[] = [];
    const done = new Promise<unknown>((resolve) => {
      void watch.watch(PROFILES, { resourceVersion: from, labelSelector: 'app in (web)', allowWatchBookmarks: true }, (type, object: Stored) => seen.push(`${type} ${object.metadata.resourceVersion}`), resolve);
    });
    while (api.openWatches() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    api.put(PROFILES, profile('a', { labels: { app: 'db' } }));
    api.put(PROFILES, profile('a', { labels: { app: 'web' } }));
    api.put(PROFILES, profile('b', { labels: { app: 'other' } }));
    expect(api.sendBookmarks()).toBe(1);
    while (seen.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen.map((line) => line.split(' ')[0])).toEqual(['DELETED', 'ADDED', 'BOOKMARK']);
    api.dropWatches();
    await done;
    api.compact();
    const gone = await new Promise<unknown>((resolve) => void watch.watch(PROFILES, { resourceVersion: from }, (type, object: { code?: number }) => type === 'ERROR' && resolve(object.code), () => {}));
    expect(gone).toBe(410);
  });

  it('injected conflicts and field selectors on list', async () => {
    const { api, core } = await start();
    api.put('/api/v1/pods', { metadata: { name: 'p1', namespace: 'ns' }, spec: { nodeName: 'n1' } });
    api.put('/api/v1/pods', { metadata: { name: 'p2', namespace: 'ns' }, spec: { nodeName: 'n2' } });
    const listed = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n2' });
    expect(listed.items.map((pod) => pod.metadata?.name)).toEqual(['p2']);
    api.conflictNext('POST', '/secrets');
    expect(await codeOf(core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: 's' } } }))).toBe(409);
    expect(await codeOf(core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: 's' } } }))).toBe(0);
  });
});

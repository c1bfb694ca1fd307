// updateExistingWorkloads: the pure selection and pod-template decision, then the rolling restart against the API
// double (real HTTP through client-node), with conflicts injected.
import { parseKubernetesVersion } from '../../src/mutate/kubernetes-version.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reprofiler } from '../../src/controller/restart/reprofile.js';
import { labelSelectorText, RESTARTED_AT_ANNOTATION, restartedWorkload, restartQuery, withoutProfiles } from '../../src/controller/restart/select.js';
import { updateExistingWorkloads } from '../../src/controller/restart/update-existing.js';
import { ApiDouble } from '../support/api-double.js';
import { engine, NOW, NOW_TEXT, policy } from '../mutate-harness.js';

const MATCH = { 'sandbox.varmor.org/enable': 'true' };
const version = parseKubernetesVersion('1.30');
if (!version.ok) throw new Error('version');
const K8S_130 = version.value;

function deployment(name: string, namespace: string, labels: Record<string, string>, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations }, spec: { containers: [{ name: 'c1', image: 'busybox' }, { name: 'c2', image: 'busybox' }] } },
    },
  };
}

describe('the restart selection (pure)', () => {
  it('lists by kind, namespace, name or selector, with the webhook match labels; a Pod target lists nothing', () => {
    const byName = policy({ enforcer: 'AppArmor', namespace: 'demo', target: { kind: 'Deployment', name: 'web' } });
    expect(restartQuery(byName, MATCH)).toEqual({ kind: 'Deployment', namespace: 'demo', labelSelector: 'sandbox.varmor.org/enable=true', fieldSelector: 'metadata.name=web' });
    const bySelector = policy({
      kind: 'VarmorClusterPolicy',
      enforcer: 'AppArmor',
      target: { kind: 'DaemonSet', selector: { matchLabels: { tier: 'edge' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }] } },
    });
    expect(restartQuery(bySelector, {})).toEqual({ kind: 'DaemonSet', labelSelector: 'tier=edge,env in (a,b),!legacy' });
    expect(restartQuery(bySelector, { team: 'edge', armor: 'on' })).toEqual({ kind: 'DaemonSet', labelSelector: 'tier=edge,env in (a,b),!legacy,armor=on,team=edge' });
    expect(restartQuery(policy({ enforcer: 'AppArmor', target: { kind: 'Pod', name: 'p' } }), MATCH)).toBeUndefined();
    expect(labelSelectorText({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['1'] }, { key: 'y', operator: 'Exists' }] })).toBe('x notin (1),y');
  });

  it("takes out armorkit's profiles and keeps the user's opt-outs and profiles", () => {
    const object = deployment('web', 'demo', {}, {
      'container.apparmor.security.beta.varmor.org/c1': 'localhost/varmor-demo-old',
      'container.apparmor.security.beta.varmor.org/c2': 'unconfined',
      'container.apparmor.security.beta.kubernetes.io/c1': 'localhost/varmor-demo-old',
      'container.apparmor.security.beta.kubernetes.io/c2': 'localhost/custom',
      'container.seccomp.security.beta.varmor.org/c1': 'localhost/varmor-demo-old',
      'container.bpf.security.beta.varmor.org/c1': 'localhost/varmor-demo-old',
      other: 'kept',
    });
    const containers = object.spec.template.spec.containers as Record<string, unknown>[];
    containers[0]!.securityContext = { appArmorProfile: { type: 'Localhost', localhostProfile: 'varmor-demo-old' }, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 1 };
    containers[1]!.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
    const stripped = withoutProfiles(object) as typeof object;
    expect(stripped.spec.template.metadata.annotations).toEqual({
      'container.apparmor.security.beta.varmor.org/c2': 'unconfined',
      'container.apparmor.security.beta.kubernetes.io/c2': 'localhost/custom',
      other: 'kept',
    });
    const strippedContainers = stripped.spec.template.spec.containers as Record<string, unknown>[];
    // c1's RuntimeDefault was ours (its seccomp annotation said so); c2's is the user's.
    expect(strippedContainers.map((container) => container.securityContext)).toEqual([{ runAsUser: 1 }, { seccompProfile: { type: 'RuntimeDefault' } }]);
    expect(object.spec.template.metadata.annotations.other).toBe('kept');
  });

  it('sets restartedAt only when the pod template changes', () => {
    const object = deployment('web', 'demo', {});
    expect(restartedWorkload(object, structuredClone(object), NOW)).toEqual({ changed: false, object });
    const changed = structuredClone(object);
    changed.spec.template.metadata.annotations = { 'container.apparmor.security.beta.varmor.org/c1': 'localhost/varmor-demo-web' };
    const decision = restartedWorkload(object, changed, NOW);
    expect(decision.changed).toBe(true);
    expect((decision.object as typeof object).spec.template.metadata.annotations).toEqual({ 'container.apparmor.security.beta.varmor.org/c1': 'localhost/varmor-demo-web', [RESTARTED_AT_ANNOTATION]: NOW_TEXT });
  });
});

describe('updateExistingWorkloads against the API double', () => {
  let api: ApiDouble;
  const DEPLOYMENTS = '/apis/apps/v1/deployments';
  beforeEach(async () => {
    api = await new ApiDouble().start();
    api.put(DEPLOYMENTS, deployment('web', 'demo', { ...{ 'sandbox.varmor.org/enable': 'true' }, app: 'web' }));
    api.put(DEPLOYMENTS, deployment('web', 'other', { 'sandbox.varmor.org/enable': 'true', app: 'web' }));
    api.put(DEPLOYMENTS, deployment('unlabelled', 'demo', { app: 'web' }));
    api.put(DEPLOYMENTS, deployment('api', 'demo', { 'sandbox.varmor.org/enable': 'true', app: 'api' }));
  });
  afterEach(async () => {
    await api.close();
  });

  const target = policy({ enforcer: 'AppArmor', name: 'web', namespace: 'demo', target: { kind: 'Deployment', selector: { matchLabels: { app: 'web' } } } });
  const run = (policies = [target], attempts?: number) =>
    updateExistingWorkloads({
      kubeConfig: api.kubeConfig(),
      policy: target,
      matchLabels: MATCH,
      reprofile: reprofiler({ engine, policies, kubernetesVersion: K8S_130, matchLabels: MATCH, now: NOW }),
      now: () => NOW,
      ...(attempts ? { attempts } : {}),
    });

  it('gives the matching labelled workloads of the namespace their profiles and restartedAt, and leaves the rest alone', async () => {
    const result = await run();
    expect(result.ok && result.value).toEqual({ restarted: ['Deployment demo/web'], unchanged: [], failed: [] });
    const web = api.get(DEPLOYMENTS, 'web', 'demo') as ReturnType<typeof deployment>;
    expect(web.spec.template.metadata.annotations).toMatchObject({ 'container.apparmor.security.beta.varmor.org/c1': 'localhost/varmor-demo-web', [RESTARTED_AT_ANNOTATION]: NOW_TEXT });
    expect(web.spec.template.spec.containers[0]).toMatchObject({ securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'varmor-demo-web' } } });
    for (const [name, namespace] of [['web', 'other'], ['unlabelled', 'demo'], ['api', 'demo']] as const) {
      expect(JSON.stringify(api.get(DEPLOYMENTS, name, namespace)), `${namespace}/${name}`).not.toContain(RESTARTED_AT_ANNOTATION);
    }
    // One list with the selectors, one replace: the API server does the selecting.
    expect(api.requests.filter((line) => line.includes('deployments'))).toEqual([
      'GET /apis/apps/v1/namespaces/demo/deployments?labelSelector=app%3Dweb%2Csandbox.varmor.org%2Fenable%3Dtrue',
      'PUT /apis/apps/v1/namespaces/demo/deployments/web',
    ]);
    // Once the profiles are there, running again changes nothing (no second restart).
    const again = await run();
    expect(again.ok && again.value).toEqual({ restarted: [], unchanged: ['Deployment demo/web'], failed: [] });
  });

  it('on delete (the policy no longer in force) takes the profiles out and rolls the pods again', async () => {
    await run();
    const result = await run([]);
    expect(result.ok && result.value.restarted).toEqual(['Deployment demo/web']);
    const web = api.get(DEPLOYMENTS, 'web', 'demo') as ReturnType<typeof deployment>;
    expect(JSON.stringify(web.spec.template)).not.toContain('varmor-demo-web');
    expect(web.spec.template.metadata.annotations[RESTARTED_AT_ANNOTATION]).toBe(NOW_TEXT);
  });

  it('retries on 409 Conflict with the object read again, and reports a workload still in conflict after every try', async () => {
    api.conflictNext('PUT', '/deployments/web', 2);
    const retried = await run();
    expect(retried.ok && retried.value.restarted).toEqual(['Deployment demo/web']);
    expect(api.count((line) => line === 'GET /apis/apps/v1/namespaces/demo/deployments/web')).toBe(2);

    api.put(DEPLOYMENTS, deployment('web', 'demo', { 'sandbox.varmor.org/enable': 'true', app: 'web' }));
    api.conflictNext('PUT', '/deployments/web', 3);
    const gaveUp = await run(undefined, 3);
    expect(gaveUp.ok && gaveUp.value.failed).toEqual([{ workload: 'Deployment demo/web', message: expect.stringContaining('HTTP 409') }]);
    expect(gaveUp.warnings.map((warning) => warning.code)).toEqual(['restart-update-failed']);
  });

  it('fails with the reason when the targets cannot be listed, and skips a Pod target', async () => {
    api.inject({ method: 'GET', path: '/deployments', code: 403, reason: 'Forbidden', message: 'deployments.apps is forbidden' });
    const result = await run();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatchObject({ code: 'restart-list-failed', message: expect.stringContaining('HTTP 403: deployments.apps is forbidden') });
    const pods = await updateExistingWorkloads({
      kubeConfig: api.kubeConfig(),
      policy: policy({ enforcer: 'AppArmor', namespace: 'demo', target: { kind: 'Pod', name: 'p' } }),
      matchLabels: MATCH,
      reprofile: reprofiler({ engine, policies: [], kubernetesVersion: K8S_130, matchLabels: MATCH, now: NOW }),
    });
    expect(pods.ok && pods.value.skipped).toMatch(/recreate the pods/);
  });
});

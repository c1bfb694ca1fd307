// End to end on a real cluster (kind or k3s; docs/kubernetes.md#end-to-end-tests): installs the rendered manifests,
// checks that invalid policies are refused at apply with their field, and that a matching workload gets its
// profiles. Runs only when KUBECONFIG is set (pnpm test:e2e); never part of `make test`.
//   ARMORKIT_E2E_IMAGE  the armorkit image the cluster can pull (default armorkit/armorkit:<version>, `kind load`ed)
//   ARMORKIT_E2E_KEEP=1 leave armorkit installed afterwards
import { ApiException, AppsV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, VersionApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookTls, serviceDnsNames } from '../../src/render/certificates.js';
import { NAMES, renderManifests, type Manifest } from '../../src/render/manifests.js';
import { renderValuesSchema } from '../../src/render/values.js';

const KUBECONFIG = process.env.KUBECONFIG;
if (!KUBECONFIG) console.log('e2e: KUBECONFIG is not set; skipping the Kubernetes end-to-end tests (docs/kubernetes.md#end-to-end-tests)');

const NAMESPACE = 'armorkit';
const WORKLOADS = 'armorkit-e2e';
const FIELD_MANAGER = 'armorkit-e2e';
const TIMEOUT_MS = 240_000;

function image(): { repository: string; tag: string } {
  const reference = process.env.ARMORKIT_E2E_IMAGE ?? 'armorkit/armorkit:0.1.0';
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) } : { repository: reference, tag: 'latest' };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error(`e2e: timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** The API server's refusal text (status message) of a failed request. */
function refusal(error: unknown): string {
  if (!(error instanceof ApiException)) throw error;
  const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  return `${error.code} ${(body as { message?: string }).message ?? String(error.body)}`;
}

const policy = (name: string, spec: Record<string, unknown>): KubernetesObject & Record<string, unknown> => ({
  apiVersion: 'crd.varmor.org/v1beta1',
  kind: 'VarmorPolicy',
  metadata: { name, namespace: WORKLOADS },
  spec,
});

describe.skipIf(!KUBECONFIG)('armorkit on a real cluster', () => {
  const config = new KubeConfig();
  let objects: KubernetesObjectApi;
  let apps: AppsV1Api;
  let manifests: Manifest[] = [];
  let kubernetesMinor = 0;

  const apply = (object: KubernetesObject) => objects.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    config.loadFromDefault();
    objects = KubernetesObjectApi.makeApiClient(config);
    apps = config.makeApiClient(AppsV1Api);
    const version = await config.makeApiClient(VersionApi).getCode();
    kubernetesMinor = Number.parseInt(version.minor, 10);
    const values = renderValuesSchema.parse({ namespace: NAMESPACE, image: image(), webhook: { validatingFailurePolicy: 'Fail', mutatingFailurePolicy: 'Fail' } });
    const tls = await generateWebhookTls({ dnsNames: serviceDnsNames(NAMES.webhookService, NAMESPACE), validityDays: 1 });
    manifests = renderManifests({ values, tls });
    const crds = manifests.filter((object) => object.kind === 'CustomResourceDefinition');
    for (const crd of crds) await apply(crd);
    for (const crd of crds) {
      await until(`CRD ${crd.metadata.name} to be established`, async () => {
        const read = (await objects.read(crd)) as KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } };
        return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      });
    }
    const rest = manifests.filter((object) => object.kind !== 'CustomResourceDefinition');
    // The webhook configurations last, once the manager answers.
    for (const object of rest.filter((o) => !o.kind.endsWith('WebhookConfiguration'))) await apply(object);
    await until('the manager Deployment to be available', async () => {
      const deployment = await apps.readNamespacedDeployment({ name: NAMES.manager, namespace: NAMESPACE });
      return (deployment.status?.availableReplicas ?? 0) >= 1 ? true : undefined;
    });
    for (const object of rest.filter((o) => o.kind.endsWith('WebhookConfiguration'))) await apply(object);
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKLOADS } });
  }, TIMEOUT_MS * 3);

  afterAll(async () => {
    if (manifests.length === 0) return;
    await objects.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKLOADS } }).catch(() => undefined);
    if (process.env.ARMORKIT_E2E_KEEP === '1') return;
    for (const object of [...manifests].reverse()) await objects.delete(object).catch(() => undefined);
  }, TIMEOUT_MS);

  it('refuses a policy the CRD schema refuses, naming the field (the API server)', async () => {
    const bad = policy('bad-mode', { target: { kind: 'Deployment', name: 'demo' }, policy: { enforcer: 'AppArmor', mode: 'Enforce' } });
    const error = await apply(bad).then(() => undefined, refusal);
    expect(error).toMatch(/^422 .*spec\.policy\.mode/);
  });

  it('refuses a policy only armorkit validate refuses, naming the field (the validating webhook)', async () => {
    const bad = policy('name-and-selector', { target: { kind: 'Deployment', name: 'demo', selector: { matchLabels: { app: 'demo' } } }, policy: { enforcer: 'AppArmor', mode: 'AlwaysAllow' } });
    const error = await apply(bad).then(() => undefined, refusal);
    expect(error).toMatch(/validatepolicy\.varmor\.org/);
    expect(error).toMatch(/\/spec\/target\/selector/);
  });

  it('gives a matching Pod its seccomp profile at admission, and leaves an opted-out container alone', async () => {
    await apply(policy('pods', { target: { kind: 'Pod', selector: { matchLabels: { app: 'pods' } } }, policy: { enforcer: 'Seccomp', mode: 'RuntimeDefault' } }));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'pods-demo',
        namespace: WORKLOADS,
        labels: { app: 'pods', 'sandbox.varmor.org/enable': 'true' },
        annotations: { 'container.seccomp.security.beta.varmor.org/c1': 'unconfined' },
      },
      spec: { containers: ['c0', 'c1'].map((name) => ({ name, image: 'busybox:1.36', command: ['sleep', '3600'] })) },
    };
    const stored = (await objects.create(pod)) as KubernetesObject & { spec: { containers: { name: string; securityContext?: { seccompProfile?: unknown } }[] } };
    expect(stored.spec.containers.map((container) => [container.name, container.securityContext?.seccompProfile])).toEqual([
      ['c0', { type: 'RuntimeDefault' }],
      ['c1', undefined],
    ]);
  });

  it('gives a matching Deployment its AppArmor profile at admission', async () => {
    await apply(policy('demo', { target: { kind: 'Deployment', name: 'demo' }, policy: { enforcer: 'AppArmor', mode: 'AlwaysAllow' } }));
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'demo', namespace: WORKLOADS, labels: { 'sandbox.varmor.org/enable': 'true' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'demo' } },
        template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'c0', image: 'busybox:1.36', command: ['sleep', '3600'] }] } },
      },
    };
    await apply(deployment);
    const stored = await apps.readNamespacedDeployment({ name: 'demo', namespace: WORKLOADS });
    const profile = `varmor-${WORKLOADS}-demo`;
    expect(stored.metadata?.annotations?.['webhook.varmor.org/mutatedAt']).toBeDefined();
    const template = stored.spec!.template;
    if (kubernetesMinor >= 30) {
      expect(template.spec!.containers[0]!.securityContext?.appArmorProfile).toEqual({ type: 'Localhost', localhostProfile: profile });
    } else {
      expect(template.metadata?.annotations?.['container.apparmor.security.beta.kubernetes.io/c0']).toBe(`localhost/${profile}`);
    }
  });
});

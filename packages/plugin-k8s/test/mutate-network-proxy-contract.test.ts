import { createEngine, defineEnforcer, definePlugin, ok, type PodChange, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { describe, expect, it } from 'vitest';
import { mutateWorkload } from '../src/mutate/mutate-workload.js';
import { readWorkload } from '../src/mutate/workload.js';
import { applyPatch, NOW, object, policy } from './mutate-harness.js';

// The contract the NetworkProxy plugin implements (reference §4.2), shown with a stand-in backend of the same shape:
// an annotation, an init container, a sidecar, volumes, and per targeted container a volume mount and env entries
// added only when absent. plugin-k8s turns them into the patch without knowing what they are for.
const CA = '/etc/varmor/ca-bundle/ca-certificates.crt';
const proxyLike = definePlugin(() => ({
  name: 'proxy-like',
  meta: { name: 'proxy-like', version: '0.0.0' },
  backends: [
    defineEnforcer({
      enforcer: 'NetworkProxy',
      compile: () => {
        throw new Error('not compiled here');
      },
      podChanges(plan, context) {
        if (context.pod.annotations['pod.networkproxy.security.beta.varmor.org'] === 'unconfined') return ok([]);
        const changes: PodChange[] = [
          { kind: 'annotation', key: 'pod.networkproxy.security.beta.varmor.org', value: `localhost/${plan.profileName}` },
          { kind: 'init-container', value: { name: 'varmor-network-proxy-init', image: 'proxy-init', securityContext: { capabilities: { add: ['NET_ADMIN'] } } } },
          { kind: 'sidecar', value: { name: 'varmor-network-proxy', image: 'proxy', volumeMounts: [{ name: 'varmor-network-proxy-config', mountPath: '/etc/envoy', readOnly: true }] } },
          { kind: 'volume', value: { name: 'varmor-network-proxy-config', secret: { secretName: plan.profileName } } },
        ];
        for (const container of context.containers) {
          changes.push({ kind: 'container-volume-mount', container: container.name, value: { name: 'varmor-network-proxy-mitm-ca-bundle', mountPath: '/etc/varmor/ca-bundle', readOnly: true } });
          for (const name of ['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS']) changes.push({ kind: 'container-env', container: container.name, value: { name, value: CA } });
        }
        return ok(changes);
      },
    }),
  ],
}));

const engine = createEngine({ plugins: [varmorDialect(), apparmor(), proxyLike()], rulePacks: [builtinRules] });
const deployment = object(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: testns}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - {name: app, image: app, env: [{name: SSL_CERT_FILE, value: /mine.pem}]}
`);

function mutate(input: Record<string, unknown>) {
  const workload = readWorkload(input);
  if (!workload.ok) throw new Error(JSON.stringify(workload.errors));
  const policies = [policy({ enforcer: 'AppArmorNetworkProxy', mode: 'AlwaysAllow', target: { kind: 'Deployment', name: 'api' } })];
  const result = mutateWorkload({ engine, policies, workload: workload.value, kubernetesVersion: { major: 1, minor: 30 }, now: NOW, matchLabel: undefined });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value.operations;
}

describe('the pod-change vocabulary, as the NetworkProxy plugin uses it', () => {
  it("becomes vArmor's shape of patch: pod-wide changes, then each container's, lists added before their first entry", () => {
    expect(mutate(deployment).map((operation) => `${operation.op} ${operation.path}`)).toEqual([
      'add /metadata/annotations',
      'add /spec/template/metadata/annotations',
      'add /spec/template/metadata/annotations/pod.networkproxy.security.beta.varmor.org',
      'add /spec/template/spec/initContainers',
      'add /spec/template/spec/initContainers/-',
      'add /spec/template/spec/containers/-',
      'add /spec/template/spec/volumes',
      'add /spec/template/spec/volumes/-',
      'add /spec/template/spec/containers/0/volumeMounts',
      'add /spec/template/spec/containers/0/volumeMounts/-',
      'add /spec/template/spec/containers/0/env/-',
      'add /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1app',
      'add /spec/template/spec/containers/0/securityContext',
      'add /spec/template/spec/containers/0/securityContext/appArmorProfile',
      'add /metadata/annotations/webhook.varmor.org~1mutatedAt',
    ]);
  });

  it('keeps the env the container defines, and the sidecar it added is not a target the next time: mutating twice changes nothing', () => {
    const once = applyPatch(deployment, mutate(deployment));
    const containers = (once.spec as { template: { spec: { containers: { name: string; env?: unknown[] }[] } } }).template.spec.containers;
    expect(containers.map((container) => container.name)).toEqual(['app', 'varmor-network-proxy']);
    expect(containers[0]!.env).toEqual([
      { name: 'SSL_CERT_FILE', value: '/mine.pem' },
      { name: 'NODE_EXTRA_CA_CERTS', value: CA },
    ]);
    expect(mutate(once)).toEqual([]);
  });
});

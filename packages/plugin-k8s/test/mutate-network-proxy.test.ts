import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { networkproxy } from '@armorkit/plugin-networkproxy';
import { captureScript } from '@armorkit/plugin-networkproxy/capture';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { mutateWorkload } from '../src/mutate/mutate-workload.js';
import { policiesFromTexts } from '../src/mutate/policy-source.js';
import { readWorkload } from '../src/mutate/workload.js';
import { applyPatch, NOW } from './mutate-harness.js';

// The NetworkProxy plugin's pod changes (vArmor §4.2) through the webhook's mutation, on a policy and Deployment of
// vArmor's corpus: the patch applies as RFC 6902, mutating the result changes nothing, and the init container runs
// the capture module's script.
const CORPUS = readFileSync(new URL('../../../../shared/corpus/varmor/ex7__mitm-with-l4.yaml', import.meta.url), 'utf8');
const engine = createEngine({ plugins: [varmorDialect(), apparmor(), networkproxy({ image: 'reg.test/armorkit:1' })], rulePacks: [builtinRules] });
const CA = '/etc/varmor/ca-bundle/ca-certificates.crt';

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  initContainers: Container[];
  containers: Container[];
  volumes: { name: string }[];
}
const podSpec = (object: Record<string, unknown>) => (object.spec as { template: { spec: PodSpec } }).template.spec;

function corpus(enforcer = 'NetworkProxy') {
  const text = CORPUS.replace('enforcer: NetworkProxy', `enforcer: ${enforcer}`);
  const read = policiesFromTexts(engine, [{ name: 'ex7__mitm-with-l4.yaml', text }]);
  if (read.errors.length > 0 || read.policies.length !== 1) throw new Error(JSON.stringify(read.errors));
  const deployment = parseAllDocuments(text)
    .map((document) => document.toJS() as Record<string, unknown>)
    .find((object) => object.kind === 'Deployment')!;
  return { policies: read.policies, deployment };
}

function mutate(object: Record<string, unknown>, policies: ReturnType<typeof corpus>['policies']) {
  const workload = readWorkload(object);
  if (!workload.ok) throw new Error(JSON.stringify(workload.errors));
  const result = mutateWorkload({ engine, policies, workload: workload.value, kubernetesVersion: { major: 1, minor: 30 }, now: NOW, matchLabels: {}, operationStyle: 'rfc6902' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value.operations;
}

describe('NetworkProxy pod changes through mutateWorkload (vArmor corpus ex7__mitm-with-l4)', () => {
  it("is vArmor's shape of patch: pod-wide changes, then each container's; with AppArmor, NetworkProxy's come first", () => {
    const { policies, deployment } = corpus('AppArmorNetworkProxy');
    expect(mutate(deployment, policies).map((operation) => `${operation.op} ${operation.path}`)).toEqual([
      'add /metadata/annotations',
      'add /spec/template/metadata/annotations',
      'add /spec/template/metadata/annotations/pod.networkproxy.security.beta.varmor.org',
      'add /spec/template/spec/initContainers',
      'add /spec/template/spec/initContainers/-',
      'add /spec/template/spec/initContainers/-',
      'add /spec/template/spec/containers/-',
      'add /spec/template/spec/volumes',
      'add /spec/template/spec/volumes/-',
      'add /spec/template/spec/volumes/-',
      'add /spec/template/spec/volumes/-',
      'add /spec/template/spec/volumes/-',
      'add /spec/template/spec/containers/0/volumeMounts',
      'add /spec/template/spec/containers/0/volumeMounts/-',
      'add /spec/template/spec/containers/0/env',
      'add /spec/template/spec/containers/0/env/-',
      'add /spec/template/spec/containers/0/env/-',
      'add /spec/template/spec/containers/0/env/-',
      'add /spec/template/spec/containers/0/env/-',
      'add /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1c0',
      'add /spec/template/spec/containers/0/securityContext',
      'add /spec/template/spec/containers/0/securityContext/appArmorProfile',
      'add /metadata/annotations/webhook.varmor.org~1mutatedAt',
    ]);
  });

  it('applies with fast-json-patch; the init container runs captureScript, the sidecar armorkit proxy; mutating again changes nothing', () => {
    const { policies, deployment } = corpus();
    const once = applyPatch(deployment, mutate(deployment, policies));
    const spec = podSpec(once);
    const script = captureScript({ proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 });
    expect(script.ok).toBe(true);
    expect(spec.initContainers.map((container) => container.name)).toEqual(['varmor-network-proxy-init', 'varmor-network-proxy-secrets']);
    expect(spec.initContainers[0]!.command).toEqual(['/bin/sh', '-c', script.ok ? script.value : '']);
    expect(spec.containers.map((container) => container.name)).toEqual(['c0', 'varmor-network-proxy']);
    expect(spec.containers[1]!.command).toEqual(['armorkit', 'proxy', '--config', '/etc/armorkit/networkproxy/varmor-demo-mitm-with-l4.networkproxy.json', '--events', 'stderr']);
    expect(spec.volumes.map((volume) => volume.name)).toEqual(['varmor-network-proxy-config', 'varmor-network-proxy-mitm-tls', 'varmor-network-proxy-mitm-ca-bundle', 'varmor-network-proxy-private']);
    expect(spec.containers[0]!.volumeMounts).toEqual([{ name: 'varmor-network-proxy-mitm-ca-bundle', mountPath: '/etc/varmor/ca-bundle', readOnly: true }]);
    expect(mutate(once, policies)).toEqual([]);
  });

  it("keeps a variable the container defines, and adds the others; `unconfined` on the pod leaves it untouched", () => {
    const { policies, deployment } = corpus();
    podSpec(deployment).containers[0]!.env = [{ name: 'SSL_CERT_FILE', value: '/mine.pem' }];
    const env = podSpec(applyPatch(deployment, mutate(deployment, policies))).containers[0]!.env;
    expect(env).toEqual([
      { name: 'SSL_CERT_FILE', value: '/mine.pem' },
      ...['REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE'].map((name) => ({ name, value: CA })),
    ]);
    const template = (deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template;
    template.metadata.annotations = { 'pod.networkproxy.security.beta.varmor.org': 'unconfined' };
    expect(mutate(deployment, policies)).toEqual([]);
  });

  const canRun = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0 && spawnSync('iptables', ['--version']).status === 0;
  it.skipIf(!canRun)("the init container's command, run as the kubelet would in a fresh network namespace, installs the capture rules", () => {
    const { policies, deployment } = corpus();
    const command = podSpec(applyPatch(deployment, mutate(deployment, policies))).initContainers[0]!.command!;
    const netns = `ak-np-pod-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', netns]);
    try {
      execFileSync('ip', ['netns', 'exec', netns, ...command], { stdio: 'pipe' });
      const saved = execFileSync('ip', ['netns', 'exec', netns, 'iptables-save'], { encoding: 'utf8' });
      expect(saved).toContain('-A OUTPUT -p tcp -j VARMOR_OUTPUT');
      expect(saved).toContain('-A VARMOR_REDIRECT -p tcp -j REDIRECT --to-ports 15001');
      expect(execFileSync('ip', ['netns', 'exec', netns, 'ip6tables-save'], { encoding: 'utf8' })).toContain('-A VARMOR_OUTPUT -d ::1/128 -j RETURN');
    } finally {
      execFileSync('ip', ['netns', 'delete', netns]);
    }
  });
});

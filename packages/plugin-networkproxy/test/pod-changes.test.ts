import { type NamedObject, type PodChange, type PodContainer, type PodView, varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { captureScript } from '../src/capture/print.js';
import { privateFilesScript } from '../src/pod/private-files.js';
import { DEFAULT_PROXY_IMAGE, networkproxy } from '../src/plugin.js';

// The NetworkProxy backend's pod changes (vArmor §4.2): what each change holds, MITM or not, opt-out and idempotence.
const tester = new PolicyTester({ plugins: [varmorDialect(), networkproxy({ image: 'reg.test/armorkit:1', initImage: 'reg.test/init:1' })] });
const policy = (config: string) =>
  tester.plan(`{apiVersion: crd.varmor.org/v1beta1, kind: VarmorPolicy, metadata: {name: web, namespace: shop},
  spec: {target: {kind: Deployment, name: web}, policy: {enforcer: NetworkProxy, mode: AlwaysAllow${config ? `, networkProxyConfig: ${config}` : ''}}}}`);
const container = (name: string, index: number, extra: Partial<PodContainer> = {}): PodContainer => ({
  name,
  index,
  pointer: `/spec/template/spec/containers/${index}`,
  privileged: false,
  env: [],
  volumeMounts: [],
  ...extra,
});
const pod = (annotations: Record<string, string> = {}, containers = [container('app', 0)]): PodView => ({ workloadKind: 'Deployment', annotations, containers, initContainers: [], volumes: [] });

function changesOf(config: string, view = pod(), engine = tester.engine) {
  const result = engine.podChanges(policy(config), view, { major: 1, minor: 30 });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return { changes: result.value[0]!.changes, warnings: result.warnings.map((warning) => `${warning.code}: ${warning.message}`) };
}
const ofKind = <K extends PodChange['kind']>(changes: PodChange[], kind: K) => changes.filter((change): change is Extract<PodChange, { kind: K }> => change.kind === kind);
const sidecarOf = (changes: PodChange[]) => ofKind(changes, 'sidecar')[0]!.value;
/** A container's command, read as the list of strings it must be. */
const commandOf = (container: NamedObject): string[] => z.array(z.string()).parse(container['command']);

describe('NetworkProxy pod changes', () => {
  it('without MITM: the annotation, the capture init container, the sidecar and its config volume, nothing per container', () => {
    const { changes, warnings } = changesOf('');
    expect(warnings).toEqual([]);
    expect(changes.map((change) => change.kind)).toEqual(['annotation', 'init-container', 'sidecar', 'volume']);
    expect(changes[0]).toEqual({ kind: 'annotation', key: 'pod.networkproxy.security.beta.varmor.org', value: 'localhost/varmor-shop-web' });
    const script = captureScript({ proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 });
    if (!script.ok) throw new Error('no script');
    expect(ofKind(changes, 'init-container')[0]!.value).toEqual({
      name: 'varmor-network-proxy-init',
      image: 'reg.test/init:1',
      command: ['/bin/sh', '-c', script.value],
      securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN'] } },
      resources: { requests: { cpu: '10m', memory: '16Mi' } },
    });
    expect(sidecarOf(changes)).toEqual({
      name: 'varmor-network-proxy',
      image: 'reg.test/armorkit:1',
      command: ['armorkit', 'proxy', '--config', '/etc/armorkit/networkproxy/varmor-shop-web.networkproxy.json', '--events', 'stderr'],
      securityContext: { runAsUser: 1337, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      readinessProbe: { tcpSocket: { port: 15001 }, initialDelaySeconds: 2, periodSeconds: 5 },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      volumeMounts: [{ name: 'varmor-network-proxy-config', mountPath: '/etc/armorkit/networkproxy', readOnly: true }],
    });
    expect(ofKind(changes, 'volume').map((change) => change.value)).toEqual([
      { name: 'varmor-network-proxy-config', secret: { secretName: 'varmor-shop-web', items: [{ key: 'varmor-shop-web.networkproxy.json', path: 'varmor-shop-web.networkproxy.json' }] } },
    ]);
  });

  it('takes proxyUID and the ports from networkProxyConfig into the script, the sidecar user and its probe', () => {
    const { changes } = changesOf('{proxyUID: 2000, proxyPort: 16001, proxyAdminPort: 16000}');
    const command = commandOf(ofKind(changes, 'init-container')[0]!.value);
    const script = captureScript({ proxyUID: 2000, proxyPort: 16001, proxyAdminPort: 16000 });
    expect(script.ok && command[2]).toBe(script.ok ? script.value : '');
    expect(command[2]).toContain('--uid-owner 2000 -j RETURN');
    expect(command[2]).toContain('REDIRECT --to-ports 16001');
    expect(command[2]).toContain('--dport 16000');
    expect(sidecarOf(changes)).toMatchObject({ securityContext: { runAsUser: 2000 }, readinessProbe: { tcpSocket: { port: 16001 } } });
  });

  it('a proxy running as root is not marked runAsNonRoot (the API server would refuse the pod)', () => {
    const security = sidecarOf(changesOf('{proxyUID: 0}').changes).securityContext;
    expect(security).toEqual({ runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('with MITM: the secrets init container, the TLS (0400), CA bundle and private volumes, larger resources, and per targeted container the mount and four variables', () => {
    const { changes } = changesOf('{mitm: {domains: [api.test]}}', pod({}, [container('app', 0), container('worker', 1)]));
    expect(changes.map((change) => change.kind).slice(0, 4)).toEqual(['annotation', 'init-container', 'init-container', 'sidecar']);
    expect(sidecarOf(changes)).toMatchObject({
      command: ['armorkit', 'proxy', '--config', '/etc/armorkit/networkproxy/varmor-shop-web.networkproxy.json', '--events', 'stderr'],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1000m', memory: '512Mi' } },
      volumeMounts: [
        { name: 'varmor-network-proxy-config', mountPath: '/etc/armorkit/networkproxy', readOnly: true },
        { name: 'varmor-network-proxy-private', mountPath: '/etc/armorkit/networkproxy-private', readOnly: true },
      ],
    });
    const secretsInit = ofKind(changes, 'init-container')[1]!.value;
    expect(secretsInit).toEqual({
      name: 'varmor-network-proxy-secrets',
      image: 'reg.test/init:1',
      command: [
        '/bin/sh',
        '-c',
        privateFilesScript('/etc/armorkit/networkproxy-private', [
          { source: '/etc/armorkit/networkproxy-tls/ca.crt', target: 'tls/ca.crt' },
          { source: '/etc/armorkit/networkproxy-tls/ca.key', target: 'tls/ca.key' },
        ], 1337),
      ],
      securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] } },
      resources: { requests: { cpu: '10m', memory: '16Mi' } },
      volumeMounts: [
        { name: 'varmor-network-proxy-mitm-tls', mountPath: '/etc/armorkit/networkproxy-tls', readOnly: true },
        { name: 'varmor-network-proxy-private', mountPath: '/etc/armorkit/networkproxy-private' },
      ],
    });
    expect(ofKind(changes, 'volume').map((change) => change.value).slice(1)).toEqual([
      {
        name: 'varmor-network-proxy-mitm-tls',
        secret: {
          secretName: 'varmor-shop-web',
          items: [
            { key: 'mitm-ca.crt', path: 'ca.crt' },
            { key: 'mitm-ca.key', path: 'ca.key' },
          ],
          defaultMode: 0o400,
        },
      },
      { name: 'varmor-network-proxy-mitm-ca-bundle', secret: { secretName: 'varmor-shop-web', items: [{ key: 'mitm-ca-bundle.crt', path: 'ca-certificates.crt' }] } },
      { name: 'varmor-network-proxy-private', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    ]);
    const perContainer = changes.filter((change) => change.kind === 'container-env' || change.kind === 'container-volume-mount');
    const bundle = '/etc/varmor/ca-bundle/ca-certificates.crt';
    expect(perContainer).toEqual(
      ['app', 'worker'].flatMap((name) => [
        { kind: 'container-volume-mount', container: name, value: { name: 'varmor-network-proxy-mitm-ca-bundle', mountPath: '/etc/varmor/ca-bundle', readOnly: true } },
        ...['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE'].map((variable) => ({ kind: 'container-env', container: name, value: { name: variable, value: bundle } })),
      ]),
    );
  });

  it('secretRef headers: one 0400 volume per Secret (its keys), copied by the secrets init container, and the sidecar started with --secrets-dir', () => {
    const { changes } = changesOf(
      '{proxyUID: 2000, mitm: {domains: [api.test, b.test], headerMutations: [{domain: api.test, headers: [{name: Authorization, secretRef: {name: tokens, key: api}}, {name: X-Plain, value: v}]}, {domain: b.test, headers: [{name: X-B, secretRef: {name: a-keys, key: b}}, {name: X-C, secretRef: {name: tokens, key: c}}]}]}}',
    );
    expect(sidecarOf(changes).command).toEqual(['armorkit', 'proxy', '--config', '/etc/armorkit/networkproxy/varmor-shop-web.networkproxy.json', '--events', 'stderr', '--secrets-dir', '/etc/armorkit/networkproxy-private/secrets']);
    const volumes = ofKind(changes, 'volume').map((change) => change.value).filter((volume) => String(volume.name).startsWith('varmor-network-proxy-secret-'));
    expect(volumes).toEqual([
      { name: 'varmor-network-proxy-secret-0', secret: { secretName: 'a-keys', items: [{ key: 'b', path: 'b' }], defaultMode: 0o400 } },
      { name: 'varmor-network-proxy-secret-1', secret: { secretName: 'tokens', items: [{ key: 'api', path: 'api' }, { key: 'c', path: 'c' }], defaultMode: 0o400 } },
    ]);
    const secretsInit = ofKind(changes, 'init-container')[1]!.value;
    expect(secretsInit['volumeMounts']).toEqual([
      { name: 'varmor-network-proxy-mitm-tls', mountPath: '/etc/armorkit/networkproxy-tls', readOnly: true },
      { name: 'varmor-network-proxy-secret-0', mountPath: '/etc/armorkit/networkproxy-secret-sources/a-keys', readOnly: true },
      { name: 'varmor-network-proxy-secret-1', mountPath: '/etc/armorkit/networkproxy-secret-sources/tokens', readOnly: true },
      { name: 'varmor-network-proxy-private', mountPath: '/etc/armorkit/networkproxy-private' },
    ]);
    expect(commandOf(secretsInit)[2]).toContain("cp '/etc/armorkit/networkproxy-secret-sources/tokens/c' '/etc/armorkit/networkproxy-private/secrets/tokens/c'");
    expect(commandOf(secretsInit)[2]).toContain("chown 2000:2000 '/etc/armorkit/networkproxy-private/secrets/a-keys/b'");
  });

  it('only the containers the policy targets get the CA bundle', () => {
    const plan = tester.plan(`{apiVersion: crd.varmor.org/v1beta1, kind: VarmorPolicy, metadata: {name: web, namespace: shop},
      spec: {target: {kind: Deployment, name: web, containers: [worker]}, policy: {enforcer: NetworkProxy, mode: AlwaysAllow, networkProxyConfig: {mitm: {domains: [api.test]}}}}}`);
    const result = tester.engine.podChanges(plan, pod({}, [container('app', 0), container('worker', 1)]), { major: 1, minor: 30 });
    if (!result.ok) throw new Error('failed');
    const names = new Set(result.value[0]!.changes.flatMap((change) => ('container' in change && change.container ? [change.container] : [])));
    expect([...names]).toEqual(['worker']);
  });

  it('networkProxyConfig.resources replaces the defaults as written (MITM or not)', () => {
    const plain = sidecarOf(changesOf('{resources: {requests: {cpu: 200m, memory: 1Gi}, limits: {cpu: 2, memory: 2Gi}}}').changes);
    expect(plain.resources).toEqual({ requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: 2, memory: '2Gi' } });
    const limitsOnly = sidecarOf(changesOf('{mitm: {domains: [api.test]}, resources: {limits: {memory: 3Gi}}}').changes);
    expect(limitsOnly.resources).toEqual({ limits: { memory: '3Gi' } });
  });

  it('a variable the container defines is not added again (the change is add-if-absent; the webhook skips it)', () => {
    const { changes } = changesOf('{mitm: {domains: [api.test]}}', pod({}, [container('app', 0, { env: ['SSL_CERT_FILE'] })]));
    // The backend states every variable; "add unless defined" is the change's meaning, applied by plugin-k8s (see
    // plugin-k8s/test/mutate-network-proxy.test.ts, where the patch keeps the container's own SSL_CERT_FILE).
    expect(ofKind(changes, 'container-env').map((change) => change.value.name)).toEqual(['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE']);
  });

  it('the pod annotation `unconfined` opts the pod out: no changes at all', () => {
    expect(changesOf('{mitm: {domains: [api.test]}}', pod({ 'pod.networkproxy.security.beta.varmor.org': 'unconfined' }))).toEqual({ changes: [], warnings: [] });
  });

  it('a pod mutated for this profile gets the same changes (all add-if-absent, so nothing new); another profile\'s proxy is kept, with a warning', () => {
    expect(changesOf('', pod({ 'pod.networkproxy.security.beta.varmor.org': 'localhost/varmor-shop-web' }))).toEqual(changesOf(''));
    const other = changesOf('', pod({ 'pod.networkproxy.security.beta.varmor.org': 'localhost/varmor-shop-old' }));
    expect(other.changes).toEqual([]);
    expect(other.warnings).toEqual([
      'networkproxy-pod-kept: the pod\'s pod.networkproxy.security.beta.varmor.org is "localhost/varmor-shop-old": it has a proxy already, which armorkit leaves as it is, so varmor-shop-web\'s egress rules do not apply to it',
    ]);
  });

  it('images: armorkit\'s image of this version by default, the init container\'s the sidecar\'s unless given; a bad option is an error value', () => {
    const defaults = new PolicyTester({ plugins: [varmorDialect(), networkproxy()] });
    const { changes } = changesOf('', pod(), defaults.engine);
    expect(DEFAULT_PROXY_IMAGE).toBe('armorkit/armorkit:0.1.0');
    expect([ofKind(changes, 'init-container')[0]!.value.image, sidecarOf(changes).image]).toEqual([DEFAULT_PROXY_IMAGE, DEFAULT_PROXY_IMAGE]);
    const imageOnly = new PolicyTester({ plugins: [varmorDialect(), networkproxy({ image: 'reg.test/mine:2' })] });
    expect(ofKind(changesOf('', pod(), imageOnly.engine).changes, 'init-container')[0]!.value.image).toBe('reg.test/mine:2');
    const bad = new PolicyTester({ plugins: [varmorDialect(), networkproxy({ initImage: 'busybox; rm -rf /' })] });
    const result = bad.engine.podChanges(policy(''), pod(), { major: 1, minor: 30 });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((error) => `${error.code}: ${error.message}`)).toEqual(['networkproxy-invalid-image: networkproxy({ initImage }): "busybox; rm -rf /" is not an image reference']);
  });
});

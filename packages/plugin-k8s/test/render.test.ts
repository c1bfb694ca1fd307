/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read deep into rendered JSON objects */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { customResourceDefinitions } from '../src/crd/generate.js';
import { generateWebhookTls, serviceDnsNames, type WebhookTls } from '../src/render/certificates.js';
import { AGENT_CAPABILITIES, AGENT_HOST_PATHS, NAMES, renderManifests, type Manifest } from '../src/render/manifests.js';
import { GRANTS } from '../src/render/rbac.js';
import { defaultValues, parseValues, renderValuesSchema, type RenderValues } from '../src/render/values.js';
import { yamlStream } from '../src/render/yaml.js';
import { expectGolden } from './support/golden.js';
import { modelProblem, unknownFieldProblems } from './support/kubernetes-schemas.js';

const FAKE_TLS: WebhookTls = { caCertificate: 'CA CERTIFICATE\n', certificate: 'SERVING CERTIFICATE\n', privateKey: 'SERVING KEY\n' };
const values = (input: unknown = {}): RenderValues => renderValuesSchema.parse(input);
/** The rules of a grant as a Role writes them. */
const written = (rules: (typeof GRANTS)[number]['rules'], scope: string, when?: string) =>
  rules.filter((rule) => rule.scope === scope && rule.when === when).map(({ apiGroups, resources, verbs }) => ({ apiGroups, resources, verbs }));
const find = (objects: Manifest[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const decode = (text: string) => Buffer.from(text, 'base64').toString('utf8');

let tls: WebhookTls;
beforeAll(async () => {
  tls = await generateWebhookTls({ dnsNames: serviceDnsNames(NAMES.webhookService, 'armorkit'), validityDays: 30 });
});

describe('armorkit k8s render: the manifests', () => {
  it('are the reviewed golden stream for the default values (with placeholder TLS), and the same every time', () => {
    const text = yamlStream(renderManifests({ values: defaultValues(), tls: FAKE_TLS }));
    expectGolden('render/default.yaml', text);
    expect(yamlStream(renderManifests({ values: defaultValues(), tls: FAKE_TLS }))).toBe(text);
    const documents = parseAllDocuments(text);
    expect(documents.every((document) => document.errors.length === 0)).toBe(true);
  });

  const variants: [string, unknown][] = [
    ['default values', {}],
    ['the agent on', { agent: { enabled: true } }],
    ['cert-manager', { certificates: { source: 'cert-manager' }, agent: { enabled: true } }],
    ['no match label, Ignore everywhere, another namespace', { namespace: 'security', webhook: { matchLabels: {}, validatingFailurePolicy: 'Ignore' } }],
  ];
  for (const [what, input] of variants) {
    it(`validate against the Kubernetes OpenAPI schemas, with no unknown field (${what})`, () => {
      const objects = renderManifests({ values: values(input), tls });
      for (const object of objects) {
        const label = `${object.kind} ${object.metadata.name}`;
        expect(modelProblem(object), label).toBeUndefined();
        expect(unknownFieldProblems(object), label).toEqual([]);
      }
    });
  }

  it('hold the CRDs generated from the schemas, kept on uninstall', () => {
    const crds = renderManifests({ values: defaultValues(), tls }).filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((crd) => crd.spec)).toEqual(customResourceDefinitions().map(({ crd }) => crd.spec));
    expect(crds.every((crd) => crd.metadata.annotations?.['helm.sh/resource-policy'] === 'keep')).toBe(true);
  });

  it('select every workload when matchLabels is empty', () => {
    const mutating = find(renderManifests({ values: values({ webhook: { matchLabels: {} } }), tls }), 'MutatingWebhookConfiguration') as Manifest & { webhooks: Record<string, unknown>[] };
    expect(mutating.webhooks.map((w) => w.objectSelector)).toEqual([{ matchLabels: {} }, { matchLabels: {} }]);
  });

  it('give the webhook and the controller one --match-label per entry of matchLabels (sorted), or --match-label= for none', () => {
    const matchLabelArgsOf = (matchLabels?: Record<string, string>) => {
      const objects = renderManifests({ values: values(matchLabels ? { webhook: { matchLabels } } : {}), tls });
      const deployment = find(objects, 'Deployment', NAMES.manager) as Manifest & { spec: { template: { spec: { containers: { name: string; args: string[] }[] } } } };
      const mutating = find(objects, 'MutatingWebhookConfiguration') as Manifest & { webhooks: { objectSelector: unknown }[] };
      for (const webhook of mutating.webhooks) expect(webhook.objectSelector).toEqual({ matchLabels: matchLabels ?? { 'sandbox.varmor.org/enable': 'true' } });
      return Object.fromEntries(deployment.spec.template.spec.containers.map(({ name, args }) => [name, args.filter((arg) => arg.startsWith('--match-label'))]));
    };
    expect(matchLabelArgsOf()).toEqual({ webhook: ['--match-label=sandbox.varmor.org/enable=true'], controller: ['--match-label=sandbox.varmor.org/enable=true'] });
    const custom = ['--match-label=armorkit.dev/protect=yes', '--match-label=team=shop'];
    expect(matchLabelArgsOf({ team: 'shop', 'armorkit.dev/protect': 'yes' })).toEqual({ webhook: custom, controller: custom });
    expect(matchLabelArgsOf({})).toEqual({ webhook: ['--match-label='], controller: ['--match-label='] });
  });

  it('register the validating webhook for both policy kinds and the mutating webhooks for workloads and pods, as vArmor does', () => {
    const objects = renderManifests({ values: values({ webhook: { timeoutSeconds: 7, mutatingFailurePolicy: 'Fail' } }), tls });
    const validating = find(objects, 'ValidatingWebhookConfiguration') as Manifest & { webhooks: Record<string, unknown>[] };
    const mutating = find(objects, 'MutatingWebhookConfiguration') as Manifest & { webhooks: Record<string, unknown>[] };
    expect(validating.webhooks.map((w) => [w.name, w.failurePolicy, w.timeoutSeconds, (w.clientConfig as { service: { path: string } }).service.path])).toEqual([
      ['validatepolicy.varmor.org', 'Fail', 7, '/validate'],
    ]);
    expect(validating.webhooks[0]!.rules).toEqual([
      { apiGroups: ['crd.varmor.org'], apiVersions: ['v1beta1'], operations: ['CREATE', 'UPDATE'], resources: ['varmorpolicies', 'varmorclusterpolicies'], scope: '*' },
    ]);
    expect(validating.webhooks[0]!.objectSelector).toBeUndefined();
    expect(mutating.webhooks.map((w) => [w.name, w.failurePolicy, w.timeoutSeconds, w.objectSelector])).toEqual([
      ['mutateworkload.varmor.org', 'Fail', 7, { matchLabels: { 'sandbox.varmor.org/enable': 'true' } }],
      ['mutatepod.varmor.org', 'Fail', 7, { matchLabels: { 'sandbox.varmor.org/enable': 'true' } }],
    ]);
    expect(mutating.webhooks.map((w) => JSON.stringify(w.rules))).toEqual([
      JSON.stringify([{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets'], scope: 'Namespaced' }]),
      JSON.stringify([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }]),
    ]);
    // Its own namespace and kube-system are never mutated.
    expect(JSON.stringify(mutating.webhooks[0]!.namespaceSelector)).toContain('"values":["armorkit","kube-system"]');
    // The webhook configurations come after the manager, so nothing calls a webhook before it can answer.
    const kinds = objects.map((o) => o.kind);
    expect(kinds.indexOf('ValidatingWebhookConfiguration')).toBeGreaterThan(kinds.indexOf('Deployment'));
  });

  it('carry a caBundle that a real TLS client trusts the serving certificate of the Secret with', async () => {
    const objects = renderManifests({ values: defaultValues(), tls });
    const secret = find(objects, 'Secret', NAMES.tlsSecret) as Manifest & { type: string; data: Record<string, string> };
    expect(secret.type).toBe('kubernetes.io/tls');
    const validating = find(objects, 'ValidatingWebhookConfiguration') as Manifest & { webhooks: { clientConfig: { caBundle: string } }[] };
    const caBundle = decode(validating.webhooks[0]!.clientConfig.caBundle);
    const certificate = new X509Certificate(decode(secret.data['tls.crt']!));
    expect(certificate.checkPrivateKey(createPrivateKey(decode(secret.data['tls.key']!)))).toBe(true);
    expect(certificate.verify(new X509Certificate(caBundle).publicKey)).toBe(true);
    // The API server dials https://armorkit-webhook.armorkit.svc:443 and checks the name against the caBundle.
    const server = createServer({ cert: decode(secret.data['tls.crt']!), key: decode(secret.data['tls.key']!), minVersion: 'TLSv1.2' }, (_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const handshake = (servername: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, ca: caBundle, servername }, () => {
          resolve(socket.authorized ? 'authorized' : String(socket.authorizationError));
          socket.end();
        });
        socket.on('error', (error) => resolve(error.message));
      });
    try {
      expect(await handshake('armorkit-webhook.armorkit.svc')).toBe('authorized');
      expect(await handshake('armorkit-webhook.other.svc')).toMatch(/altnames|Hostname/);
    } finally {
      server.close();
    }
  });

  it('with cert-manager: issuers and a Certificate for the Service names, and inject-ca-from instead of a caBundle', () => {
    const objects = renderManifests({ values: values({ certificates: { source: 'cert-manager' } }) });
    expect(find(objects, 'Secret')).toBeUndefined();
    const serving = find(objects, 'Certificate', NAMES.servingCertificate) as Manifest & { spec: { dnsNames: string[]; secretName: string } };
    expect(serving.spec.secretName).toBe(NAMES.tlsSecret);
    expect(serving.spec.dnsNames).toContain('armorkit-webhook.armorkit.svc');
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const configuration = find(objects, kind) as Manifest & { webhooks: { clientConfig: Record<string, unknown> }[] };
      expect(configuration.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': `armorkit/${NAMES.servingCertificate}` });
      expect(configuration.webhooks.every((webhook) => !('caBundle' in webhook.clientConfig))).toBe(true);
    }
  });

  it('run the manager unprivileged: the webhook (TLS mounted, probes on /readyz and /healthz) and the controller, two replicas spread over nodes', () => {
    const deployment = find(renderManifests({ values: defaultValues(), tls }), 'Deployment', NAMES.manager) as Manifest & { spec: { replicas: number; template: { spec: Record<string, any> } } };
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['webhook', 'controller']);
    const controller = pod.containers[1];
    expect([...controller.command, ...controller.args].join(' ')).toBe('armorkit k8s manager --namespace $(ARMORKIT_NAMESPACE) --lease-name armorkit-manager --metrics 0.0.0.0:8082 --match-label=sandbox.varmor.org/enable=true');
    expect(controller.env).toEqual([{ name: 'ARMORKIT_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }]);
    expect(controller.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    const metrics = find(renderManifests({ values: defaultValues(), tls }), 'Service', NAMES.metricsService) as Manifest & { spec: { ports: { name: string; port: number }[] } };
    expect(metrics.spec.ports.map((port) => `${port.name}:${port.port}`)).toEqual(['metrics:8081', 'ctrl-metrics:8082']);
    expect([...container.command, ...container.args].join(' ')).toBe(
      'armorkit k8s webhook --cert /etc/armorkit/tls/tls.crt --key /etc/armorkit/tls/tls.key --listen 0.0.0.0:3443 --metrics 0.0.0.0:8081 --watch-policies --match-label=sandbox.varmor.org/enable=true',
    );
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect([container.readinessProbe.httpGet.path, container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.scheme]).toEqual(['/readyz', '/healthz', 'HTTPS']);
    expect(pod.volumes).toEqual([{ name: 'tls', secret: { secretName: NAMES.tlsSecret, defaultMode: 0o440 } }, { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  it('run the agent with capabilities instead of privileged, hostPID, its host paths, NODE_NAME and a readiness probe (unless disabled)', () => {
    const disabled = renderManifests({ values: values({ agent: { enabled: false } }), tls });
    expect(find(disabled, 'DaemonSet')).toBeUndefined();
    expect(disabled.filter((o) => o.metadata.name === NAMES.agent)).toEqual([]);
    const daemonSet = find(renderManifests({ values: defaultValues(), tls }), 'DaemonSet') as Manifest & { spec: { template: { metadata: Record<string, any>; spec: Record<string, any> } } };
    const pod = daemonSet.spec.template.spec;
    const container = pod.containers[0];
    expect([...container.command, ...container.args].join(' ')).toBe('armorkit k8s agent --node-name $(NODE_NAME) --readiness 0.0.0.0:9580');
    expect(container.env[0]).toEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/readiness', port: 'readiness', scheme: 'HTTP' });
    expect(container.ports).toEqual([{ name: 'readiness', containerPort: 9580, protocol: 'TCP' }]);
    expect(daemonSet.spec.template.metadata.annotations).toEqual({ 'container.apparmor.security.beta.kubernetes.io/agent': 'unconfined' });
    expect(container.securityContext.seccompProfile).toEqual({ type: 'Unconfined' });
    for (const path of ['/sys/kernel/security', '/var/lib/kubelet/seccomp', '/var/log']) {
      expect(pod.volumes.map((volume: { hostPath: { path: string } }) => volume.hostPath.path)).toContain(path);
    }
    // No runtime socket: nothing reads it, and a hostPath of type Directory would keep the agent off nodes without containerd.
    expect(JSON.stringify(pod.volumes)).not.toMatch(/containerd|crio|docker\.sock/);
    expect(pod.hostPID).toBe(true);
    expect(container.securityContext.privileged).toBe(false);
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'], add: [...AGENT_CAPABILITIES] });
    expect(pod.volumes.map((volume: { hostPath: { path: string } }) => volume.hostPath.path)).toEqual(AGENT_HOST_PATHS.map((hostPath) => hostPath.path));
    expect(JSON.stringify(daemonSet)).not.toContain('"privileged":true');
  });

  it('grant each component exactly the rules of GRANTS: named resources, no wildcard, the Lease in its namespace only (test/rbac-scenario.test.ts proves them against the calls)', () => {
    const objects = renderManifests({ values: values({ namespace: 'security' }), tls });
    for (const { component, rules } of GRANTS) {
      const role = find(objects, 'ClusterRole', `armorkit-${component}`) as Manifest & { rules: unknown[] };
      expect(role.rules).toEqual(written(rules, 'cluster'));
      const binding = find(objects, 'ClusterRoleBinding', `armorkit-${component}`) as Manifest & { subjects: unknown[] };
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: `armorkit-${component}`, namespace: 'security' }]);
    }
    const lease = find(objects, 'Role', NAMES.manager) as Manifest & { rules: { resources: string[]; verbs: string[] }[] };
    expect([lease.metadata.namespace, JSON.stringify(lease.rules)]).toEqual(['security', JSON.stringify([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }])]);
    expect((find(objects, 'RoleBinding', NAMES.manager) as Manifest & { roleRef: unknown }).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMES.manager });
    expect(find(objects, 'Role', NAMES.agent)).toBeUndefined();
    const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as (Manifest & { rules: { resources: string[]; verbs: string[] }[] })[];
    expect(JSON.stringify(roles)).not.toContain('"*"');
    const verbsOn = (component: string, resource: string) =>
      roles.filter((role) => role.metadata.name === `armorkit-${component}`).flatMap((role) => role.rules.filter((rule) => rule.resources.includes(resource)).flatMap((rule) => rule.verbs));
    expect(verbsOn('manager', 'secrets')).toEqual(['list', 'watch', 'create', 'update', 'delete']);
    expect(verbsOn('manager', 'varmorpolicies/finalizers')).toEqual(['update']);
    expect(verbsOn('agent', 'secrets')).toEqual([]);
    // The manager reads the node reports and never writes them; the agent writes its own report and reads profiles.
    expect(verbsOn('manager', 'armornodestatuses')).toEqual(['list', 'watch']);
    expect(verbsOn('agent', 'armornodestatuses/status')).toEqual(['patch']);
    expect(verbsOn('agent', 'armorprofiles')).toEqual(['list', 'watch']);
    expect(verbsOn('manager', 'deployments')).toEqual(['get', 'list', 'update']);
  });

  it('grant KubeArmor\'s kinds only with kubearmor.enabled, in a ClusterRole of their own; the webhook and controller get --kubearmor and every pod is sent', () => {
    const kubeArmorRole = (objects: Manifest[]) => find(objects, 'ClusterRole', `${NAMES.manager}-kubearmor`) as (Manifest & { rules: { resources: string[]; verbs: string[] }[] }) | undefined;
    const argsOf = (objects: Manifest[]) => (find(objects, 'Deployment') as Manifest & { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers.map((container) => container.args);
    const podWebhook = (objects: Manifest[]) =>
      (find(objects, 'MutatingWebhookConfiguration') as Manifest & { webhooks: { name: string; objectSelector?: unknown }[] }).webhooks.find((webhook) => webhook.name === 'mutatepod.varmor.org')!;

    const off = renderManifests({ values: values({}), tls });
    expect(kubeArmorRole(off)).toBeUndefined();
    expect(JSON.stringify(off)).not.toContain('security.kubearmor.com');
    expect(argsOf(off).flat()).not.toContain('--kubearmor');
    expect(podWebhook(off).objectSelector).toEqual({ matchLabels: { 'sandbox.varmor.org/enable': 'true' } });

    const on = renderManifests({ values: values({ kubearmor: { enabled: true } }), tls });
    const manager = GRANTS.find((grant) => grant.component === 'manager')!;
    expect(kubeArmorRole(on)!.rules).toEqual(written(manager.rules, 'cluster', 'kubearmor'));
    expect(kubeArmorRole(on)!.rules.flatMap((rule) => rule.resources)).toEqual([
      'kubearmorclusterpolicies', 'kubearmorhostpolicies', 'kubearmorpolicies',
      'kubearmorclusterpolicies/status', 'kubearmorhostpolicies/status', 'kubearmorpolicies/status',
      'kubearmorclusterpolicies/finalizers', 'kubearmorpolicies/finalizers',
      // The namespaces' posture annotations, which KubeArmorPolicies compile with.
      'namespaces',
      // Merged KubeArmor profiles: a set's ArmorProfile is deleted once no pod runs under it.
      'armorprofiles',
    ]);
    expect((find(on, 'ClusterRoleBinding', `${NAMES.manager}-kubearmor`) as Manifest & { subjects: unknown[] }).subjects).toEqual([{ kind: 'ServiceAccount', name: NAMES.manager, namespace: 'armorkit' }]);
    // The main ClusterRole is the same either way.
    expect(find(on, 'ClusterRole', NAMES.manager)).toEqual(find(off, 'ClusterRole', NAMES.manager));
    for (const args of argsOf(on)) expect(args).toContain('--kubearmor');
    expect(podWebhook(on).objectSelector).toBeUndefined();
  });
});

describe('the schema checks of the rendered objects', () => {
  it('catch a wrong type, a missing required field and an unknown field', () => {
    const deployment = structuredClone(find(renderManifests({ values: defaultValues(), tls: FAKE_TLS }), 'Deployment')!) as Manifest & { spec: Record<string, any> };
    expect(modelProblem(deployment)).toBeUndefined();
    deployment.spec.replicas = 'two';
    expect(modelProblem(deployment)).toMatch(/replicas/);
    deployment.spec.replicas = 2;
    delete deployment.spec.template.spec.containers[0].name;
    expect(modelProblem(deployment)).toMatch(/name/);
    deployment.spec.template.spec.containers[0].name = 'webhook';
    deployment.spec.template.spec.containers[0].securityContext.privilegedd = true;
    expect(unknownFieldProblems(deployment)).toEqual(['/spec/template/spec/containers/0/securityContext/privilegedd']);
    const crd = structuredClone(find(renderManifests({ values: defaultValues(), tls: FAKE_TLS }), 'CustomResourceDefinition')!) as Manifest & { spec: Record<string, any> };
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.target.const = 'x';
    expect(unknownFieldProblems(crd)).toEqual(['/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/target/const']);
  });
});

describe('render values', () => {
  it('fill every default and refuse a wrong value with its pointer and line:column', () => {
    expect(defaultValues().webhook).toEqual({ validatingFailurePolicy: 'Fail', mutatingFailurePolicy: 'Ignore', timeoutSeconds: 10, matchLabels: { 'sandbox.varmor.org/enable': 'true' }, port: 3443 });
    const { values: parsed, errors } = parseValues('webhook:\n  timeoutSeconds: 99\n  extra: 1\nimage:\n  tag: "a:b"\n', 'values.yaml');
    expect(parsed).toBeUndefined();
    expect(errors.map((e) => [e.code, e.pointer, e.location?.line, e.location?.column, e.message])).toEqual([
      ['k8s-values-invalid', '/image/tag', 5, 8, 'an image tag (letters, digits, _ . -; at most 63)'],
      ['k8s-values-invalid', '/webhook/timeoutSeconds', 2, 19, 'Too big: expected number to be <=30'],
      ['k8s-values-invalid', '/webhook', 2, 3, 'unknown key(s) "extra"'],
    ]);
    expect(parseValues('a: [\n', 'bad.yaml').errors[0]).toMatchObject({ code: 'k8s-values-syntax' });
    expect(parseValues('a: 1\n---\nb: 2\n', 'two.yaml').errors[0]?.message).toMatch(/2 YAML documents/);
  });
});

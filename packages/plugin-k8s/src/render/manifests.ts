import { createHash } from 'node:crypto';
import { customResourceDefinitions } from '../crd/generate.js';
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';
import { serviceDnsNames, type WebhookTls } from './certificates.js';
import { GRANTS } from './rbac.js';
import type { RenderValues } from './values.js';

/** A Kubernetes object as the manifests hold it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** The fixed names of what armorkit installs (one installation per cluster: the CRDs and webhooks are cluster-wide). */
export const NAMES = {
  manager: 'armorkit-manager',
  agent: 'armorkit-agent',
  webhookService: 'armorkit-webhook',
  metricsService: 'armorkit-metrics',
  /** The coordination.k8s.io Lease the manager replicas elect their leader with. */
  lease: 'armorkit-manager',
  tlsSecret: 'armorkit-webhook-tls',
  validatingWebhooks: 'armorkit-policy-validating-webhook-cfg',
  mutatingWebhooks: 'armorkit-resource-mutating-webhook-cfg',
  selfSignedIssuer: 'armorkit-selfsigned',
  caCertificate: 'armorkit-webhook-ca',
  caIssuer: 'armorkit-webhook-ca',
  servingCertificate: 'armorkit-webhook-tls',
} as const;

/** Where the manager reads its serving certificate (the TLS Secret's mount). */
export const TLS_DIRECTORY = '/etc/armorkit/tls';
const WEBHOOK_PATHS = { validate: '/validate', mutate: '/mutate' } as const;

export interface RenderInput {
  values: RenderValues;
  /** The CA and serving certificate; needed when values.certificates.source is `generate`. */
  tls?: WebhookTls;
  /** `manifests` (armorkit k8s render) adds the Namespace; Helm installs into the release's namespace instead. */
  target?: RenderTarget;
}
type RenderTarget = 'manifests' | 'helm';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function labels(values: RenderValues, component?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'armorkit',
    'app.kubernetes.io/part-of': 'armorkit',
    'app.kubernetes.io/version': values.image.tag,
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
  };
}

const selectorOf = (component: string) => ({ 'app.kubernetes.io/name': 'armorkit', 'app.kubernetes.io/component': component });

function namespaced(values: RenderValues, name: string, component?: string): Manifest['metadata'] {
  return { name, namespace: values.namespace, labels: labels(values, component) };
}

function customResources(values: RenderValues): Manifest[] {
  // keep: uninstalling the chart must not delete every policy in the cluster with the CRDs.
  return customResourceDefinitions().map(({ crd }) => ({
    ...crd,
    metadata: { ...crd.metadata, labels: labels(values, 'crd'), annotations: { 'helm.sh/resource-policy': 'keep' } },
  }));
}

function rbac(values: RenderValues): Manifest[] {
  return GRANTS.flatMap(({ component, rules }) => {
    if (component === 'agent' && !values.agent.enabled) return [];
    const name = component === 'manager' ? NAMES.manager : NAMES.agent;
    const subjects = [{ kind: 'ServiceAccount', name, namespace: values.namespace }];
    const written = (scope: 'cluster' | 'namespace', when?: 'kubearmor') =>
      rules.filter((rule) => rule.scope === scope && rule.when === when).map(({ apiGroups, resources, verbs }) => ({ apiGroups, resources, verbs }));
    const namespaceRules = written('namespace');
    const rbacApi = 'rbac.authorization.k8s.io/v1';
    const clusterRole = (roleName: string, roleRules: ReturnType<typeof written>): Manifest[] =>
      roleRules.length === 0
        ? []
        : [
            { apiVersion: rbacApi, kind: 'ClusterRole', metadata: { name: roleName, labels: labels(values, component) }, rules: roleRules },
            {
              apiVersion: rbacApi,
              kind: 'ClusterRoleBinding',
              metadata: { name: roleName, labels: labels(values, component) },
              roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
              subjects,
            },
          ];
    return [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: namespaced(values, name, component) },
      ...clusterRole(name, written('cluster')),
      // KubeArmor's kinds in a ClusterRole of their own: there only with kubearmor.enabled.
      ...(values.kubearmor.enabled ? clusterRole(`${name}-kubearmor`, written('cluster', 'kubearmor')) : []),
      // What only concerns armorkit's own namespace (the leader Lease) is a Role there, not a cluster-wide grant.
      ...(namespaceRules.length > 0
        ? [
            { apiVersion: rbacApi, kind: 'Role', metadata: namespaced(values, name, component), rules: namespaceRules },
            { apiVersion: rbacApi, kind: 'RoleBinding', metadata: namespaced(values, name, component), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects },
          ]
        : []),
    ];
  });
}

/** The TLS Secret (generated certificates) or cert-manager's issuers and certificates that make it. */
function certificates(values: RenderValues, tls: WebhookTls | undefined): Manifest[] {
  if (values.certificates.source === 'generate') {
    if (!tls) throw new TypeError('renderManifests: certificates.source is generate, so the TLS material is needed');
    return [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: namespaced(values, NAMES.tlsSecret, 'manager'),
        type: 'kubernetes.io/tls',
        data: { 'ca.crt': base64(tls.caCertificate), 'tls.crt': base64(tls.certificate), 'tls.key': base64(tls.privateKey) },
      },
    ];
  }
  const certManager = 'cert-manager.io/v1';
  const duration = `${values.certificates.validityDays * 24}h`;
  return [
    { apiVersion: certManager, kind: 'Issuer', metadata: namespaced(values, NAMES.selfSignedIssuer, 'manager'), spec: { selfSigned: {} } },
    {
      apiVersion: certManager,
      kind: 'Certificate',
      metadata: namespaced(values, NAMES.caCertificate, 'manager'),
      spec: {
        isCA: true,
        commonName: 'armorkit-webhook-ca',
        secretName: NAMES.caCertificate,
        duration,
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: NAMES.selfSignedIssuer, kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
    { apiVersion: certManager, kind: 'Issuer', metadata: namespaced(values, NAMES.caIssuer, 'manager'), spec: { ca: { secretName: NAMES.caCertificate } } },
    {
      apiVersion: certManager,
      kind: 'Certificate',
      metadata: namespaced(values, NAMES.servingCertificate, 'manager'),
      spec: {
        secretName: NAMES.tlsSecret,
        duration,
        dnsNames: serviceDnsNames(NAMES.webhookService, values.namespace),
        privateKey: { algorithm: 'ECDSA', size: 256 },
        usages: ['digital signature', 'server auth'],
        issuerRef: { name: NAMES.caIssuer, kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
  ];
}

/** caBundle with generated certificates; cert-manager's cainjector fills it in from the Certificate otherwise. */
function caInjection(values: RenderValues, tls: WebhookTls | undefined): { annotations?: Record<string, string>; caBundle?: string } {
  if (values.certificates.source === 'cert-manager') return { annotations: { 'cert-manager.io/inject-ca-from': `${values.namespace}/${NAMES.servingCertificate}` } };
  return tls ? { caBundle: base64(tls.caCertificate) } : {};
}

function webhookConfigurations(values: RenderValues, tls: WebhookTls | undefined): Manifest[] {
  const { annotations, caBundle } = caInjection(values, tls);
  const clientConfig = (path: string) => ({
    service: { name: NAMES.webhookService, namespace: values.namespace, path, port: 443 },
    ...(caBundle !== undefined ? { caBundle } : {}),
  });
  const common = { sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: values.webhook.timeoutSeconds, matchPolicy: 'Equivalent' };
  // The manager's own namespace and kube-system are never mutated: a webhook that blocks its own pods cannot recover.
  const namespaceSelector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [values.namespace, 'kube-system'] }] };
  // An empty matchLabels selects every object, so `{}` turns the label requirement off.
  const objectSelector = { objectSelector: { matchLabels: values.webhook.matchLabels } };
  const meta = (name: string) => ({ name, labels: labels(values, 'manager'), ...(annotations ? { annotations } : {}) });
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: meta(NAMES.validatingWebhooks),
      webhooks: [
        {
          name: 'validatepolicy.varmor.org',
          clientConfig: clientConfig(WEBHOOK_PATHS.validate),
          rules: [{ apiGroups: [VARMOR_GROUP], apiVersions: [VARMOR_VERSION], operations: ['CREATE', 'UPDATE'], resources: ['varmorpolicies', 'varmorclusterpolicies'], scope: '*' }],
          failurePolicy: values.webhook.validatingFailurePolicy,
          ...common,
        },
      ],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: meta(NAMES.mutatingWebhooks),
      webhooks: [
        {
          name: 'mutateworkload.varmor.org',
          clientConfig: clientConfig(WEBHOOK_PATHS.mutate),
          rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets'], scope: 'Namespaced' }],
          failurePolicy: values.webhook.mutatingFailurePolicy,
          reinvocationPolicy: 'Never',
          namespaceSelector,
          ...objectSelector,
          ...common,
        },
        {
          name: 'mutatepod.varmor.org',
          clientConfig: clientConfig(WEBHOOK_PATHS.mutate),
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
          failurePolicy: values.webhook.mutatingFailurePolicy,
          reinvocationPolicy: 'Never',
          namespaceSelector,
          // KubeArmor's policies apply to every pod their selector matches: the webhook is sent every pod and
          // applies the match labels to vArmor's policies itself.
          ...(values.kubearmor.enabled ? {} : objectSelector),
          ...common,
        },
      ],
    },
  ];
}

function image(values: RenderValues): { image: string; imagePullPolicy: string } {
  return { image: `${values.image.repository}:${values.image.tag}`, imagePullPolicy: values.image.pullPolicy };
}

/**
 * The webhook's and the controller's `--match-label`s: one per entry of webhook.matchLabels, sorted by key (the order
 * Helm ranges over a map), or `--match-label=` (no label needed) for `{}`; so both act on what the objectSelector sends.
 */
export function matchLabelArgs(matchLabels: Readonly<Record<string, string>>): string[] {
  const keys = Object.keys(matchLabels).sort();
  return keys.length === 0 ? ['--match-label='] : keys.map((key) => `--match-label=${key}=${matchLabels[key]}`);
}

/** The webhook's and the controller's flag for kubearmor.enabled. */
export const KUBEARMOR_ARG = '--kubearmor';
/** `--kubearmor` when kubearmor.enabled; always for Helm, whose chart keeps it under `if .Values.kubearmor.enabled` (helm.ts). */
const kubeArmorArgs = (values: RenderValues, target: RenderTarget): string[] => (values.kubearmor.enabled || target === 'helm' ? [KUBEARMOR_ARG] : []);

// Functions, not shared constants: each container gets objects of its own (a caller may change one).
const namespaceEnv = () => ({ name: 'ARMORKIT_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
const restricted = () => ({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });

function manager(values: RenderValues, tls: WebhookTls | undefined, target: RenderTarget): Manifest[] {
  const component = 'manager';
  // A new certificate (render or helm upgrade) rolls the pods, so they serve what the caBundle trusts.
  const annotations: Record<string, string> = tls ? { 'armorkit.dev/tls-sha256': sha256(tls.certificate) } : {};
  const probe = (path: string) => ({ httpGet: { path, port: 'webhook', scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 3 });
  // The webhook serves on every replica; the controller acts on the replica holding the Lease only (the others wait
  // for it), so the replicas are spread over nodes: losing one node loses neither.
  const spread = {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorOf(component) } } },
      ],
    },
  };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: namespaced(values, NAMES.manager, component),
      spec: {
        replicas: values.manager.replicas,
        selector: { matchLabels: selectorOf(component) },
        template: {
          metadata: { labels: { ...labels(values, component), ...selectorOf(component) }, ...(tls ? { annotations } : {}) },
          spec: {
            serviceAccountName: NAMES.manager,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            affinity: spread,
            containers: [
              {
                name: 'webhook',
                ...image(values),
                command: ['armorkit'],
                args: ['k8s', 'webhook', '--cert', `${TLS_DIRECTORY}/tls.crt`, '--key', `${TLS_DIRECTORY}/tls.key`, '--listen', `0.0.0.0:${values.webhook.port}`, '--metrics', `0.0.0.0:${values.manager.metricsPort}`, '--watch-policies', ...matchLabelArgs(values.webhook.matchLabels), ...kubeArmorArgs(values, target)],
                env: [namespaceEnv()],
                ports: [
                  { name: 'webhook', containerPort: values.webhook.port, protocol: 'TCP' },
                  { name: 'metrics', containerPort: values.manager.metricsPort, protocol: 'TCP' },
                ],
                readinessProbe: probe('/readyz'),
                livenessProbe: probe('/healthz'),
                resources: values.manager.resources,
                securityContext: restricted(),
                // The root file system is read-only; apparmor_parser (the webhook's verify step) and node need a /tmp.
                volumeMounts: [
                  { name: 'tls', mountPath: TLS_DIRECTORY, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
              {
                name: 'controller',
                ...image(values),
                command: ['armorkit'],
                // $(ARMORKIT_NAMESPACE) is expanded by the kubelet from the env below (the pod's namespace).
                args: ['k8s', 'manager', '--namespace', '$(ARMORKIT_NAMESPACE)', '--lease-name', NAMES.lease, '--metrics', `0.0.0.0:${values.manager.controllerMetricsPort}`, ...matchLabelArgs(values.webhook.matchLabels), ...kubeArmorArgs(values, target)],
                env: [namespaceEnv()],
                ports: [{ name: 'ctrl-metrics', containerPort: values.manager.controllerMetricsPort, protocol: 'TCP' }],
                resources: values.manager.resources,
                securityContext: restricted(),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: NAMES.tlsSecret, defaultMode: 0o440 } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: namespaced(values, NAMES.webhookService, component),
      spec: { selector: selectorOf(component), ports: [{ name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: namespaced(values, NAMES.metricsService, component),
      spec: {
        selector: selectorOf(component),
        ports: [
          { name: 'metrics', port: values.manager.metricsPort, targetPort: 'metrics', protocol: 'TCP' },
          { name: 'ctrl-metrics', port: values.manager.controllerMetricsPort, targetPort: 'ctrl-metrics', protocol: 'TCP' },
        ],
      },
    },
  ];
}

/** The agent's readiness endpoint (vArmor's port and path; `armorkit k8s agent --readiness`). */
export const AGENT_READINESS_PATH = '/health/readiness';

/**
 * Host paths the agent needs: what it writes or reads there, and whether it writes. No container runtime socket: the
 * agent tells containers apart by their cgroup paths and the pods' containerStatuses, so it works on any CRI runtime.
 */
export const AGENT_HOST_PATHS: readonly { name: string; path: string; type: string; readOnly: boolean; why: string }[] = [
  { name: 'securityfs', path: '/sys/kernel/security', type: 'Directory', readOnly: false, why: 'apparmor_parser loads profiles through securityfs; the BPF LSM is detected there' },
  { name: 'apparmor-profiles', path: '/etc/apparmor.d', type: 'DirectoryOrCreate', readOnly: false, why: 'AppArmor profiles are written here before they are loaded' },
  { name: 'seccomp-profiles', path: '/var/lib/kubelet/seccomp', type: 'DirectoryOrCreate', readOnly: false, why: 'the kubelet reads Localhost seccomp profiles from here' },
  { name: 'bpffs', path: '/sys/fs/bpf', type: 'Directory', readOnly: false, why: 'the BPF programs and maps are pinned under /sys/fs/bpf/armorkit' },
  { name: 'logs', path: '/var/log', type: 'Directory', readOnly: false, why: 'the audit logs are read and violations.log is written here' },
];

/** The agent's capabilities instead of privileged (vArmor's set, reference §6.5). */
export const AGENT_CAPABILITIES = ['SYS_ADMIN', 'BPF', 'SYS_RESOURCE', 'SYS_PTRACE', 'MAC_ADMIN', 'IPC_LOCK'] as const;

function agent(values: RenderValues): Manifest[] {
  if (!values.agent.enabled) return [];
  const component = 'agent';
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: namespaced(values, NAMES.agent, component),
      spec: {
        selector: { matchLabels: selectorOf(component) },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: {
            labels: { ...labels(values, component), ...selectorOf(component) },
            // The annotation form, which every supported Kubernetes version reads (securityContext.appArmorProfile is 1.30+).
            annotations: { 'container.apparmor.security.beta.kubernetes.io/agent': 'unconfined' },
          },
          spec: {
            serviceAccountName: NAMES.agent,
            hostPID: true,
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'agent',
                ...image(values),
                command: ['armorkit'],
                // NODE_NAME from the downward API: the agent writes ArmorNodeStatus/<that name> and watches that node's pods.
                args: ['k8s', 'agent', '--node-name', '$(NODE_NAME)', '--readiness', `0.0.0.0:${values.agent.readinessPort}`],
                env: [
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  namespaceEnv(),
                ],
                ports: [{ name: 'readiness', containerPort: values.agent.readinessPort, protocol: 'TCP' }],
                // Ready once it has listed its profiles and pods and applied what concerns its node.
                readinessProbe: { httpGet: { path: AGENT_READINESS_PATH, port: 'readiness', scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 3 },
                resources: values.agent.resources,
                securityContext: {
                  privileged: false,
                  runAsUser: 0,
                  capabilities: { drop: ['ALL'], add: [...AGENT_CAPABILITIES] },
                  // bpf(2), mount(2) and ptrace(2) are what the agent is for; the runtime's default filter refuses them.
                  seccompProfile: { type: 'Unconfined' },
                },
                volumeMounts: AGENT_HOST_PATHS.map(({ name, path, readOnly }) => ({ name, mountPath: path, ...(readOnly ? { readOnly } : {}) })),
              },
            ],
            volumes: AGENT_HOST_PATHS.map(({ name, path, type }) => ({ name, hostPath: { path, type } })),
          },
        },
      },
    },
  ];
}

/** Every object armorkit installs, in apply order: namespace, CRDs, RBAC, TLS, manager, agent, webhook configurations last. */
export function renderManifests(input: RenderInput): Manifest[] {
  const { values, tls } = input;
  const target = input.target ?? 'manifests';
  const namespace: Manifest[] =
    target === 'manifests' ? [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: values.namespace, labels: labels(values) } }] : [];
  // The webhook configurations come last so that the API server does not call a webhook before its pods exist.
  return [...namespace, ...customResources(values), ...rbac(values), ...certificates(values, tls), ...manager(values, tls, target), ...agent(values), ...webhookConfigurations(values, tls)];
}

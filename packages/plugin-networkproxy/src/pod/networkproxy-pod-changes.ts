import { type NamedObject, type NetworkProxyPlan, type PodChange, type PodChangeContext, type Result, fail, ok } from '@armorkit/core';
import { captureScript } from '../capture/print.js';
import { PROXY_CONFIG_SUFFIX } from '../compile/artifact.js';
import { PROXY_DEFAULTS, type PolicyProxyConfig } from '../compile/proxy-config.js';
import { networkProxyErrors } from '../errors.js';
import { privateFilesScript, type PrivateFile } from './private-files.js';
import {
  CA_BUNDLE_DIRECTORY,
  CA_BUNDLE_FILE,
  CA_BUNDLE_VARIABLES,
  CONFIG_DIRECTORY,
  CONFIG_VOLUME,
  HEADER_SECRETS_SOURCE_DIRECTORY,
  headerSecretVolume,
  INIT_CONTAINER,
  MITM_CA_BUNDLE_ITEMS,
  MITM_CA_BUNDLE_VOLUME,
  MITM_TLS_DIRECTORY,
  MITM_TLS_ITEMS,
  MITM_TLS_VOLUME,
  PRIVATE_DIRECTORY,
  PRIVATE_SECRETS_DIRECTORY,
  PRIVATE_VOLUME,
  PROXY_ANNOTATION,
  SECRET_FILE_MODE,
  SECRETS_INIT_CONTAINER,
  SIDECAR,
} from './pod-layout.js';
import { INIT_RESOURCES, sidecarResources } from './resources.js';

export interface NetworkProxyPodOptions {
  /** The sidecar's image: it runs `armorkit proxy`. */
  image: string;
  /** The init container's image: it needs `/bin/sh` and iptables / ip6tables. */
  initImage: string;
}

/** An image reference: no spaces or control characters, nothing the kubelet would misread. */
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,510}$/;

function imageProblems(options: NetworkProxyPodOptions): string[] {
  return (['image', 'initImage'] as const).flatMap((option) =>
    IMAGE.test(options[option]) ? [] : [`networkproxy({ ${option} }): ${JSON.stringify(options[option])} is not an image reference`],
  );
}

function initContainer(image: string, script: string): NamedObject {
  return {
    name: INIT_CONTAINER,
    image,
    command: ['/bin/sh', '-c', script],
    // iptables needs root with NET_ADMIN, whatever user the image or the pod names.
    securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN'] } },
    resources: { requests: { ...INIT_RESOURCES.requests } },
  };
}

/** The Secrets header mutations read (`secretRef`), each with its keys, sorted: one volume each. */
function headerSecrets(config: PolicyProxyConfig | undefined): { name: string; keys: string[] }[] {
  const keys = new Map<string, Set<string>>();
  for (const mutation of config?.mitm?.headerMutations ?? []) {
    for (const header of mutation.headers) {
      if (header.secretRef) keys.set(header.secretRef.name, (keys.get(header.secretRef.name) ?? new Set()).add(header.secretRef.key));
    }
  }
  return [...keys].sort(([a], [b]) => a.localeCompare(b)).map(([name, set]) => ({ name, keys: [...set].sort() }));
}

/** The secrets init container: the Secret volumes read-only, the private volume to copy them into (private-files.ts). */
function secretsInitContainer(image: string, proxyUID: number, secrets: ReturnType<typeof headerSecrets>): NamedObject {
  const files: PrivateFile[] = [
    ...MITM_TLS_ITEMS.map((item) => ({ source: `${MITM_TLS_DIRECTORY}/${item.path}`, target: `tls/${item.path}` })),
    ...secrets.flatMap((secret) => secret.keys.map((key) => ({ source: `${HEADER_SECRETS_SOURCE_DIRECTORY}/${secret.name}/${key}`, target: `secrets/${secret.name}/${key}` }))),
  ];
  return {
    name: SECRETS_INIT_CONTAINER,
    image,
    command: ['/bin/sh', '-c', privateFilesScript(PRIVATE_DIRECTORY, files, proxyUID)],
    // Root reads the Secret's 0400 files as their owner; handing the copies to the proxy's UID needs CHOWN, nothing else.
    securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] } },
    resources: { requests: { ...INIT_RESOURCES.requests } },
    volumeMounts: [
      { name: MITM_TLS_VOLUME, mountPath: MITM_TLS_DIRECTORY, readOnly: true },
      ...secrets.map((secret, index) => ({ name: headerSecretVolume(index), mountPath: `${HEADER_SECRETS_SOURCE_DIRECTORY}/${secret.name}`, readOnly: true })),
      { name: PRIVATE_VOLUME, mountPath: PRIVATE_DIRECTORY },
    ],
  };
}

function sidecar(image: string, profileName: string, settings: { proxyUID: number; proxyPort: number }, config: PolicyProxyConfig | undefined): NamedObject {
  const mounts: NamedObject[] = [{ name: CONFIG_VOLUME, mountPath: CONFIG_DIRECTORY, readOnly: true }];
  if (config?.mitm) mounts.push({ name: PRIVATE_VOLUME, mountPath: PRIVATE_DIRECTORY, readOnly: true });
  const secretsDirectory = headerSecrets(config).length > 0 ? ['--secrets-dir', PRIVATE_SECRETS_DIRECTORY] : [];
  return {
    name: SIDECAR,
    image,
    // Events to the container's stderr (the runtime keeps it, `kubectl logs` reads it): the sidecar's UID has no
    // /var/log/armorkit to write the configuration's default file in.
    command: ['armorkit', 'proxy', '--config', `${CONFIG_DIRECTORY}/${profileName}.${PROXY_CONFIG_SUFFIX}`, '--events', 'stderr', ...secretsDirectory],
    // The capture rules let this UID's connections out unredirected; nothing else of root is needed.
    securityContext: {
      runAsUser: settings.proxyUID,
      ...(settings.proxyUID === 0 ? {} : { runAsNonRoot: true }),
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
    readinessProbe: { tcpSocket: { port: settings.proxyPort }, initialDelaySeconds: 2, periodSeconds: 5 },
    resources: sidecarResources(config),
    volumeMounts: mounts,
  };
}

function secretVolume(name: string, secretName: string, items: readonly { key: string; path: string }[], defaultMode?: number): NamedObject {
  return { name, secret: { secretName, items: items.map((item) => ({ key: item.key, path: item.path })), ...(defaultMode === undefined ? {} : { defaultMode }) } };
}

/**
 * How a pod must change to send its egress through the policy's proxy (vArmor §4.2): the annotation, an init container
 * that installs the capture rules (`captureScript`), the proxy sidecar reading the configuration from the Secret
 * `<profile>`, its volumes, and with MITM the CA bundle and its variables in each targeted container (a variable the
 * container defines is kept). `pod.networkproxy.security.beta.varmor.org: unconfined` opts the pod out; a pod that
 * already carries another profile's proxy is left as it is, with a warning.
 */
export function networkProxyPodChanges(plan: NetworkProxyPlan, context: PodChangeContext, options: NetworkProxyPodOptions): Result<PodChange[]> {
  const profile = `localhost/${plan.profileName}`;
  const current = context.pod.annotations[PROXY_ANNOTATION];
  if (current === 'unconfined') return ok([]);
  if (current !== undefined && current !== profile) {
    const message = `the pod's ${PROXY_ANNOTATION} is ${JSON.stringify(current)}: it has a proxy already, which armorkit leaves as it is, so ${plan.profileName}'s egress rules do not apply to it`;
    return ok([], [networkProxyErrors.error('networkproxy-pod-kept', '', message)]);
  }
  const problems = imageProblems(options);
  if (problems.length > 0) return fail(problems.map((problem) => networkProxyErrors.error('networkproxy-invalid-image', '', problem)));

  const config = context.plan.policy.spec.policy.networkProxyConfig;
  const settings = {
    proxyUID: config?.proxyUID ?? PROXY_DEFAULTS.proxyUID,
    proxyPort: config?.proxyPort ?? PROXY_DEFAULTS.proxyPort,
    proxyAdminPort: config?.proxyAdminPort ?? PROXY_DEFAULTS.proxyAdminPort,
  };
  const script = captureScript(settings);
  if (!script.ok) return script;

  const changes: PodChange[] = [
    { kind: 'annotation', key: PROXY_ANNOTATION, value: profile },
    { kind: 'init-container', value: initContainer(options.initImage, script.value) },
    { kind: 'sidecar', value: sidecar(options.image, plan.profileName, settings, config) },
    { kind: 'volume', value: secretVolume(CONFIG_VOLUME, plan.profileName, [{ key: `${plan.profileName}.${PROXY_CONFIG_SUFFIX}`, path: `${plan.profileName}.${PROXY_CONFIG_SUFFIX}` }]) },
  ];
  if (!config?.mitm) return ok(changes);
  const secrets = headerSecrets(config);
  changes.splice(2, 0, { kind: 'init-container', value: secretsInitContainer(options.initImage, settings.proxyUID, secrets) });
  changes.push(
    { kind: 'volume', value: secretVolume(MITM_TLS_VOLUME, plan.profileName, MITM_TLS_ITEMS, SECRET_FILE_MODE) },
    { kind: 'volume', value: secretVolume(MITM_CA_BUNDLE_VOLUME, plan.profileName, MITM_CA_BUNDLE_ITEMS) },
    ...secrets.map((secret, index): PodChange => ({ kind: 'volume', value: secretVolume(headerSecretVolume(index), secret.name, secret.keys.map((key) => ({ key, path: key })), SECRET_FILE_MODE) })),
    // Memory-backed: the copies never reach the node's disk; a few CA and header files fit in 1Mi.
    { kind: 'volume', value: { name: PRIVATE_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } } },
  );
  for (const container of context.containers) {
    changes.push({ kind: 'container-volume-mount', container: container.name, value: { name: MITM_CA_BUNDLE_VOLUME, mountPath: CA_BUNDLE_DIRECTORY, readOnly: true } });
    for (const name of CA_BUNDLE_VARIABLES) changes.push({ kind: 'container-env', container: container.name, value: { name, value: CA_BUNDLE_FILE } });
  }
  return ok(changes);
}

import { type NamedObject, type NetworkProxyPlan, type PodChange, type PodChangeContext, type Result, fail, ok } from '@armorkit/core';
import { captureScript } from '../capture/print.js';
import { PROXY_CONFIG_SUFFIX } from '../compile/artifact.js';
import { PROXY_DEFAULTS, type PolicyProxyConfig } from '../compile/proxy-config.js';
import { networkProxyErrors } from '../errors.js';
import {
  CA_BUNDLE_DIRECTORY,
  CA_BUNDLE_FILE,
  CA_BUNDLE_VARIABLES,
  CONFIG_DIRECTORY,
  CONFIG_VOLUME,
  INIT_CONTAINER,
  MITM_CA_BUNDLE_ITEMS,
  MITM_CA_BUNDLE_VOLUME,
  MITM_TLS_DIRECTORY,
  MITM_TLS_ITEMS,
  MITM_TLS_VOLUME,
  PROXY_ANNOTATION,
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

function sidecar(image: string, profileName: string, settings: { proxyUID: number; proxyPort: number }, config: PolicyProxyConfig | undefined): NamedObject {
  const mounts: NamedObject[] = [{ name: CONFIG_VOLUME, mountPath: CONFIG_DIRECTORY, readOnly: true }];
  if (config?.mitm) mounts.push({ name: MITM_TLS_VOLUME, mountPath: MITM_TLS_DIRECTORY, readOnly: true });
  return {
    name: SIDECAR,
    image,
    // Events to the container's stderr (the runtime keeps it, `kubectl logs` reads it): the sidecar's UID has no
    // /var/log/armorkit to write the configuration's default file in.
    command: ['armorkit', 'proxy', '--config', `${CONFIG_DIRECTORY}/${profileName}.${PROXY_CONFIG_SUFFIX}`, '--events', 'stderr'],
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

function secretVolume(name: string, secretName: string, items: readonly { key: string; path: string }[]): NamedObject {
  return { name, secret: { secretName, items: items.map((item) => ({ key: item.key, path: item.path })) } };
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
  changes.push(
    { kind: 'volume', value: secretVolume(MITM_TLS_VOLUME, plan.profileName, MITM_TLS_ITEMS) },
    { kind: 'volume', value: secretVolume(MITM_CA_BUNDLE_VOLUME, plan.profileName, MITM_CA_BUNDLE_ITEMS) },
  );
  for (const container of context.containers) {
    changes.push({ kind: 'container-volume-mount', container: container.name, value: { name: MITM_CA_BUNDLE_VOLUME, mountPath: CA_BUNDLE_DIRECTORY, readOnly: true } });
    for (const name of CA_BUNDLE_VARIABLES) changes.push({ kind: 'container-env', container: container.name, value: { name, value: CA_BUNDLE_FILE } });
  }
  return ok(changes);
}

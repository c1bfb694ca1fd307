import { defineEnforcer, definePlugin, ok, readPackageMeta } from '@armorkit/core';
import { networkProxyArtifact } from './compile/artifact.js';
import { explainProxyConfig } from './compile/explain.js';
import { networkProxyErrors } from './errors.js';
import { networkProxyPodChanges } from './pod/networkproxy-pod-changes.js';
import { DEFAULT_EVENTS_FILE } from './compile/proxy-config.js';
import { openProxyEventSource } from './proxy/event-source.js';
import type { MitmCaFiles } from './pki/ca-files.js';
import { confineWithNetworkProxy } from './run/confine.js';

const meta = readPackageMeta(import.meta.url);

export interface NetworkProxyPluginOptions {
  /**
   * The proxy's events file, read by `armorkit audit --source networkproxy` and written by `armorkit run` (default:
   * /var/log/armorkit/networkproxy.log, where compiled configurations send them).
   */
  eventsFile?: string;
  /**
   * `armorkit run` with MITM: the CA files (`{ certificateFile, keyFile }`, as `armorkit mitm-ca` writes them) the
   * run's proxy signs with, for clients that trust it already; default: a CA made for each run, trusted by the command
   * through SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS and CURL_CA_BUNDLE.
   */
  runMitmCa?: MitmCaFiles;
  /** The proxy sidecar's image, which runs `armorkit proxy` (default: armorkit's image of this version). */
  image?: string;
  /** The capture init container's image, with `/bin/sh` and iptables (default: the same image). */
  initImage?: string;
}

/** armorkit's image (Dockerfile, deploy/helm) of this plugin's version. */
export const DEFAULT_PROXY_IMAGE = `armorkit/armorkit:${meta.version}`;

/**
 * The NetworkProxy enforcer: a policy's egress rules → the transparent proxy's configuration and decision table; on
 * Kubernetes, the pod's init container, sidecar and volumes.
 */
export const networkproxy = definePlugin((options: NetworkProxyPluginOptions = {}) => ({
  name: 'networkproxy',
  meta,
  backends: [
    defineEnforcer({
      enforcer: 'NetworkProxy',
      compile: (plan, context) => networkProxyArtifact(plan, context),
      explain: (artifact) => ok(explainProxyConfig(artifact.data)),
      confine: (artifact) =>
        confineWithNetworkProxy(artifact, { ...(options.eventsFile ? { eventsFile: options.eventsFile } : {}), ...(options.runMitmCa ? { mitmCa: options.runMitmCa } : {}) }),
      auditSource: () => openProxyEventSource(options.eventsFile ?? DEFAULT_EVENTS_FILE),
      podChanges: (plan, context) => {
        const image = options.image ?? DEFAULT_PROXY_IMAGE;
        return networkProxyPodChanges(plan, context, { image, initImage: options.initImage ?? image });
      },
    }),
  ],
  errors: networkProxyErrors,
}));

import { defineEnforcer, definePlugin, ok, readPackageMeta } from '@armorkit/core';
import { networkProxyArtifact } from './compile/artifact.js';
import { explainProxyConfig } from './compile/explain.js';
import { networkProxyErrors } from './errors.js';
import { DEFAULT_EVENTS_FILE, openProxyEventSource } from './proxy/event-source.js';

const meta = readPackageMeta(import.meta.url);

/** The NetworkProxy enforcer: a policy's egress rules → the transparent proxy's configuration and decision table. */
export interface NetworkProxyPluginOptions {
  /** The proxy's events file, read by `armorkit audit --source networkproxy` (default /var/log/armorkit/networkproxy.log). */
  eventsFile?: string;
}

export const networkproxy = definePlugin((options: NetworkProxyPluginOptions = {}) => ({
  name: 'networkproxy',
  meta,
  backends: [
    defineEnforcer({
      enforcer: 'NetworkProxy',
      compile: (plan, context) => networkProxyArtifact(plan, context),
      explain: (artifact) => ok(explainProxyConfig(artifact.data)),
      auditSource: () => openProxyEventSource(options.eventsFile ?? DEFAULT_EVENTS_FILE),
    }),
  ],
  errors: networkProxyErrors,
}));

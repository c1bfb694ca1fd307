import { defineEnforcer, definePlugin, ok, readPackageMeta } from '@armorkit/core';
import { networkProxyArtifact } from './compile/artifact.js';
import { explainProxyConfig } from './compile/explain.js';
import { networkProxyErrors } from './errors.js';

const meta = readPackageMeta(import.meta.url);

/** The NetworkProxy enforcer: a policy's egress rules → the transparent proxy's configuration and decision table. */
export const networkproxy = definePlugin(() => ({
  name: 'networkproxy',
  meta,
  backends: [
    defineEnforcer({
      enforcer: 'NetworkProxy',
      compile: (plan, context) => networkProxyArtifact(plan, context),
      explain: (artifact) => ok(explainProxyConfig(artifact.data)),
    }),
  ],
  errors: networkProxyErrors,
}));

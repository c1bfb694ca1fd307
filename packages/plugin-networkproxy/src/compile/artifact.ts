import { type Artifact, type CompileContext, type NetworkProxyPlan, type Result, ok } from '@armorkit/core';
import { type ProxyConfig, formatProxyConfig } from '../config/proxy-config.js';
import { compileProxyConfig } from './proxy-config.js';

declare module '@armorkit/core' {
  interface ArtifactDataMap {
    NetworkProxy: ProxyConfig;
  }
}

/** The file `compile --out` writes: `<profile>.networkproxy.json`, read by `armorkit proxy --config`. */
export const PROXY_CONFIG_SUFFIX = 'networkproxy.json';

/** A NetworkProxy plan → the artifact: the proxy configuration as a file and as data. Pure. */
export function networkProxyArtifact(plan: NetworkProxyPlan, context: Pick<CompileContext, 'plan' | 'specPointer' | 'behaviorModel'>): Result<Artifact<'NetworkProxy'>> {
  const compiled = compileProxyConfig(plan, context);
  if (!compiled.ok) return compiled;
  return ok(
    {
      enforcer: 'NetworkProxy',
      profileName: plan.profileName,
      profileMode: plan.profileMode,
      files: [{ suffix: PROXY_CONFIG_SUFFIX, content: formatProxyConfig(compiled.value) }],
      data: compiled.value,
    },
    compiled.warnings,
  );
}

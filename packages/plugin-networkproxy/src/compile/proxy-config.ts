import { type CompileContext, type NetworkProxyPlan, type PolicyError, type Result, fail, ok } from '@armorkit/core';
import type { HeaderSetting, MitmSettings, ProxyConfig } from '../config/proxy-config.js';
import { PROXY_CONFIG_VERSION, mitmDomainProblem } from '../config/proxy-config.js';
import { headerNameProblem, headerValueProblem } from '../config/values.js';
import { networkProxyErrors } from '../errors.js';
import { compileDecisionTable } from './compile-table.js';

/** vArmor's networkProxyConfig defaults. */
export const PROXY_DEFAULTS = { proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 } as const;
/** How long the proxy trusts a name's resolved addresses at most (spoofing protection). */
export const DEFAULT_MAX_CACHE_SECONDS = 30;

type PolicyProxyConfig = NonNullable<CompileContext['plan']['policy']['spec']['policy']['networkProxyConfig']>;

function mitmSettings(mitm: NonNullable<PolicyProxyConfig['mitm']>, pointer: string, errors: PolicyError[]): MitmSettings {
  mitm.domains.forEach((domain, index) => {
    const problem = mitmDomainProblem(domain);
    if (problem) errors.push(networkProxyErrors.error(domain.includes('/') ? 'networkproxy-mitm-cidr' : 'networkproxy-invalid-host', `${pointer}/domains/${index}`, problem, domain));
  });
  const headerMutations = (mitm.headerMutations ?? []).map((mutation, m) => ({
    domain: mutation.domain,
    headers: mutation.headers.map((header, h): HeaderSetting => {
      const at = `${pointer}/headerMutations/${m}/headers/${h}`;
      const nameProblem = headerNameProblem(header.name);
      if (nameProblem) errors.push(networkProxyErrors.error('networkproxy-invalid-header', `${at}/name`, nameProblem, header.name));
      if (header.secretRef) return { name: header.name, secretRef: { name: header.secretRef.name, key: header.secretRef.key } };
      const value = header.value ?? '';
      const valueProblem = headerValueProblem(value);
      if (valueProblem) errors.push(networkProxyErrors.error('networkproxy-invalid-header', `${at}/value`, `header ${JSON.stringify(header.name)}: ${valueProblem}`));
      return { name: header.name, value };
    }),
  }));
  return { domains: [...mitm.domains], headerMutations };
}

/**
 * A NetworkProxy plan → the proxy's configuration: its ports and UID, the decision table, spoofing protection (on for
 * deny-default tables, where an allowed name is what opens the way), audit to the proxy's stderr, MITM targets.
 * Secret references stay references: the caller resolves them (resolveHeaderSecrets) before the proxy starts. Pure.
 */
export function compileProxyConfig(plan: NetworkProxyPlan, context: Pick<CompileContext, 'plan' | 'specPointer'>): Result<ProxyConfig> {
  const table = compileDecisionTable(plan, context.specPointer);
  const errors: PolicyError[] = table.ok ? [] : [...table.errors];
  const settings = context.plan.policy.spec.policy.networkProxyConfig;
  const settingsPointer = `${context.specPointer}/policy/networkProxyConfig`;
  const mitm = settings?.mitm ? mitmSettings(settings.mitm, `${settingsPointer}/mitm`, errors) : undefined;
  if (!table.ok || errors.length > 0) return fail(errors, table.warnings);
  const config: ProxyConfig = {
    version: PROXY_CONFIG_VERSION,
    proxyPort: settings?.proxyPort ?? PROXY_DEFAULTS.proxyPort,
    proxyAdminPort: settings?.proxyAdminPort ?? PROXY_DEFAULTS.proxyAdminPort,
    proxyUID: settings?.proxyUID ?? PROXY_DEFAULTS.proxyUID,
    decisions: table.value,
    spoofingProtection: { enabled: table.value.defaultAction === 'deny', maxCacheSeconds: DEFAULT_MAX_CACHE_SECONDS },
    audit: { profileName: plan.profileName, events: { to: 'stderr' } },
    ...(mitm ? { mitm } : {}),
  };
  return ok(config, table.warnings);
}

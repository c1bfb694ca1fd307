import { type CompileContext, type NetworkProxyPlan, type PolicyError, type Result, coreErrors, fail, ok } from '@armorkit/core';
import type { HeaderSetting, MitmSettings, ProxyConfig } from '../config/proxy-config.js';
import type { DecisionTable } from '../decision/table.js';
import { PROXY_CONFIG_VERSION, mitmDomainProblem, proxyConfigProblems } from '../config/proxy-config.js';
import { headerValueProblem, mutationHeaderProblem } from '../config/values.js';
import { networkProxyErrors } from '../errors.js';
import { compileDecisionTable } from './compile-table.js';

/** vArmor's networkProxyConfig defaults. */
export const PROXY_DEFAULTS = { proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 } as const;
/**
 * Where the proxy writes its events unless the policy's configuration is edited: the file `armorkit audit --source
 * networkproxy` reads by default (beside armorkit's violations.log).
 */
export const DEFAULT_EVENTS_FILE = '/var/log/armorkit/networkproxy.log';
/** How long the proxy trusts a name's resolved addresses at most (spoofing protection). */
export const DEFAULT_MAX_CACHE_SECONDS = 30;

export type PolicyProxyConfig = NonNullable<CompileContext['plan']['policy']['spec']['policy']['networkProxyConfig']>;

function mitmSettings(mitm: NonNullable<PolicyProxyConfig['mitm']>, pointer: string, errors: PolicyError[]): MitmSettings {
  mitm.domains.forEach((domain, index) => {
    const problem = mitmDomainProblem(domain);
    if (problem) errors.push(networkProxyErrors.error(domain.includes('/') ? 'networkproxy-mitm-cidr' : 'networkproxy-invalid-host', `${pointer}/domains/${index}`, problem, domain));
  });
  const headerMutations = (mitm.headerMutations ?? []).map((mutation, m) => ({
    domain: mutation.domain,
    headers: mutation.headers.map((header, h): HeaderSetting => {
      const at = `${pointer}/headerMutations/${m}/headers/${h}`;
      const nameProblem = mutationHeaderProblem(header.name);
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

/** Whether TLS to the hosts of `host` (a rule's host pattern) is intercepted: a mitm entry names it or covers it. */
function intercepted(host: string, domains: readonly string[]): boolean {
  return domains.some((entry) => {
    const domain = entry.toLowerCase().replace(/\/(32|128)$/, '');
    return domain === host || (domain.startsWith('*.') && host.endsWith(domain.slice(1)) && host !== domain.slice(2));
  });
}

/** Warnings for httpRules whose paths or methods cannot be seen where their hosts' TLS passes through. */
function passthroughWarnings(table: DecisionTable, mitm: MitmSettings | undefined): PolicyError[] {
  return table.httpRules.flatMap((rule) => {
    if (!rule.hosts || (!rule.paths && !rule.methods)) return [];
    const open = rule.hosts.filter((host) => !intercepted(host, mitm?.domains ?? []));
    if (open.length === 0) return [];
    const message = `TLS to ${open.join(', ')} is not intercepted (mitm.domains): there this rule matches by server name and port alone, so it ${rule.action === 'allow' ? 'allows' : 'denies'} every request to it whatever the path or method`;
    return [networkProxyErrors.error('networkproxy-path-on-passthrough', `${rule.pointer}/match`, message)];
  });
}

/**
 * A NetworkProxy plan → the proxy's configuration: its ports and UID, the decision table, spoofing protection (on for
 * deny-default tables, where an allowed name is what opens the way), audit to DEFAULT_EVENTS_FILE, MITM targets.
 * Secret references stay references: the caller resolves them (resolveHeaderSecrets) before the proxy starts. Pure.
 */
export function compileProxyConfig(plan: NetworkProxyPlan, context: Pick<CompileContext, 'plan' | 'specPointer' | 'behaviorModel'>): Result<ProxyConfig> {
  const table = compileDecisionTable(plan, context.specPointer, context.behaviorModel);
  const errors: PolicyError[] = table.ok ? [] : [...table.errors];
  const settings = context.plan.policy.spec.policy.networkProxyConfig;
  const settingsPointer = `${context.specPointer}/policy/networkProxyConfig`;
  const mitm = settings?.mitm ? mitmSettings(settings.mitm, `${settingsPointer}/mitm`, errors) : undefined;
  // iptables' owner match takes a 32-bit UID, and (uid_t)-1 means "none".
  if (settings?.proxyUID !== undefined && settings.proxyUID > 4294967294) {
    errors.push(coreErrors.error('invalid-value', `${settingsPointer}/proxyUID`, `proxyUID ${settings.proxyUID} is above the largest UID, 4294967294`, settings.proxyUID));
  }
  if (!table.ok || errors.length > 0) return fail(errors, table.warnings);
  const config: ProxyConfig = {
    version: PROXY_CONFIG_VERSION,
    proxyPort: settings?.proxyPort ?? PROXY_DEFAULTS.proxyPort,
    proxyAdminPort: settings?.proxyAdminPort ?? PROXY_DEFAULTS.proxyAdminPort,
    proxyUID: settings?.proxyUID ?? PROXY_DEFAULTS.proxyUID,
    decisions: table.value,
    spoofingProtection: { enabled: table.value.defaultAction === 'deny', maxCacheSeconds: DEFAULT_MAX_CACHE_SECONDS },
    audit: { profileName: plan.profileName, events: { to: 'file', path: DEFAULT_EVENTS_FILE } },
    ...(mitm ? { mitm } : {}),
  };
  // What the proxy would refuse to read is refused here, never written (each value was checked above; this is the net).
  const problems = proxyConfigProblems(config);
  if (problems.length > 0) {
    return fail(problems.map((problem) => ({ ...problem, pointer: settingsPointer, message: `the proxy configuration would be invalid at ${problem.pointer}: ${problem.message}` })), table.warnings);
  }
  return ok(config, [...table.warnings, ...passthroughWarnings(table.value, mitm)]);
}

import { type NetworkProxyPlan, type PolicyError, type Result, coreErrors, fail, ok } from '@armorkit/core';
import type { ArmorProfileModel } from '@armorkit/core/schema';
import type { DecisionTable, HttpRule, L4Rule, PathMatch, PortInterval } from '../decision/table.js';
import { normalizeNetwork } from '../decision/addresses.js';
import { hostProblem, methodProblem, normalizeHostPattern, pathProblem } from '../config/values.js';
import { networkProxyErrors } from '../errors.js';
import { modelEgressRules } from './model-egress.js';

/** The egress section as the plan carries it. */
type NetworkProxyEgress = NonNullable<NetworkProxyPlan['egress']>['rules'];
type EgressRule = NonNullable<NetworkProxyEgress['rules']>[number];
type EgressHttpRule = NonNullable<NetworkProxyEgress['httpRules']>[number];

export const ALLOW_ALL: DecisionTable = Object.freeze({ defaultAction: 'allow', l4Rules: [], httpRules: [] });
export const DENY_ALL: DecisionTable = Object.freeze({ defaultAction: 'deny', l4Rules: [], httpRules: [] });

/** vArmor's classifyRule: an explicit allow, else an explicit deny, else the default action. */
function classify(qualifiers: readonly string[], defaultAction: 'allow' | 'deny'): { action: 'allow' | 'deny'; audit: boolean } {
  const action = qualifiers.includes('allow') ? 'allow' : qualifiers.includes('deny') ? 'deny' : defaultAction;
  return { action, audit: qualifiers.includes('audit') };
}

const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined && list.length > 0;

function portIntervals(ports: EgressRule['ports']): PortInterval[] | undefined {
  return nonEmpty(ports) ? ports.map((port) => [port.port, port.endPort ?? port.port]) : undefined;
}

function describe<T extends object>(rule: T, description: string | undefined): T & { description?: string } {
  return description === undefined ? rule : { ...rule, description };
}

function l4Rule(rule: EgressRule, index: number, pointer: string, defaultAction: 'allow' | 'deny', errors: PolicyError[], warnings: PolicyError[]): L4Rule | undefined {
  const at = `${pointer}/rules/${index}`;
  // vArmor tests `ip != ""` / `cidr != ""`: an empty one is no destination.
  const address = rule.ip || rule.cidr || undefined;
  const network = address === undefined ? undefined : normalizeNetwork(address);
  if (address !== undefined && network === undefined) {
    errors.push(coreErrors.error('invalid-value', `${at}/${rule.ip ? 'ip' : 'cidr'}`, `${JSON.stringify(address)} is not an IP address or CIDR`, address));
    return undefined;
  }
  const ports = portIntervals(rule.ports);
  if (network === undefined && ports === undefined) {
    warnings.push(networkProxyErrors.error('networkproxy-rule-matches-nothing', at, 'this rule has neither ip, cidr nor ports: vArmor renders no permission for it, so it never matches'));
    return undefined;
  }
  return describe(
    { index, pointer: at, ...classify(rule.qualifiers, defaultAction), ...(network ? { networks: [network] } : {}), ...(ports ? { ports } : {}) },
    rule.description,
  );
}

function httpRule(rule: EgressHttpRule, index: number, pointer: string, defaultAction: 'allow' | 'deny', errors: PolicyError[], warnings: PolicyError[]): HttpRule | undefined {
  const at = `${pointer}/httpRules/${index}`;
  const before = errors.length;
  const { match } = rule;
  const hosts = nonEmpty(match.hosts)
    ? match.hosts.flatMap((host, i) => {
        const problem = hostProblem(host);
        if (problem) errors.push(networkProxyErrors.error('networkproxy-invalid-host', `${at}/match/hosts/${i}`, problem, host));
        const normalized = normalizeHostPattern(host);
        return normalized === undefined ? [] : [normalized];
      })
    : undefined;
  const methods = nonEmpty(match.methods)
    ? match.methods.flatMap((method, i) => {
        const problem = methodProblem(method);
        if (problem) errors.push(networkProxyErrors.error('networkproxy-invalid-method', `${at}/match/methods/${i}`, problem, method));
        // vArmor upper-cases rule methods; a request's method is compared as sent (methods are case-sensitive).
        return problem ? [] : [method.toUpperCase()];
      })
    : undefined;
  const paths = nonEmpty(match.paths)
    ? match.paths.flatMap((path, i): PathMatch[] => {
        const [kind, value] = path.exact !== undefined ? (['exact', path.exact] as const) : (['prefix', path.prefix ?? ''] as const);
        const problem = pathProblem(value);
        if (problem) errors.push(networkProxyErrors.error('networkproxy-invalid-path', `${at}/match/paths/${i}/${kind}`, problem, value));
        return problem ? [] : [kind === 'exact' ? { exact: value } : { prefix: value }];
      })
    : undefined;
  const ports = portIntervals(match.ports);
  if (errors.length > before) return undefined;
  if (!hosts && !methods && !paths && !ports) {
    warnings.push(networkProxyErrors.error('networkproxy-rule-matches-nothing', `${at}/match`, 'this rule matches no host, port, path or method: vArmor renders no permission for it, so it never matches'));
    return undefined;
  }
  return describe(
    {
      index,
      pointer: at,
      ...classify(rule.qualifiers, defaultAction),
      ...(hosts ? { hosts: [...new Set(hosts)] } : {}),
      ...(ports ? { ports } : {}),
      ...(paths ? { paths } : {}),
      ...(methods ? { methods: [...new Set(methods)] } : {}),
    },
    rule.description,
  );
}

/** A policy's egress section → its decision table, or every problem in it. Pure. */
export function compileEgress(egress: NetworkProxyEgress, pointer: string): Result<DecisionTable> {
  const defaultAction = egress.defaultAction.toLowerCase() === 'deny' ? 'deny' : 'allow';
  const errors: PolicyError[] = [];
  const warnings: PolicyError[] = [];
  const l4Rules = (egress.rules ?? []).flatMap((rule, index) => l4Rule(rule, index, pointer, defaultAction, errors, warnings) ?? []);
  const httpRules = (egress.httpRules ?? []).flatMap((rule, index) => httpRule(rule, index, pointer, defaultAction, errors, warnings) ?? []);
  return errors.length > 0 ? fail(errors, warnings) : ok({ defaultAction, l4Rules, httpRules }, warnings);
}

/** DefenseInDepth with a behaviour model: the table with the model's egress added as allow rules after the policy's. */
function seeded(table: Result<DecisionTable>, model: ArmorProfileModel | undefined): Result<DecisionTable> {
  if (!table.ok || !model) return table;
  const rules = modelEgressRules(model, table.value.l4Rules.length);
  return rules.length === 0 ? table : ok({ ...table.value, l4Rules: [...table.value.l4Rules, ...rules] }, table.warnings);
}

/**
 * The plan's decision table, by what the plan builds: AlwaysAllow and RuntimeDefault allow everything (vArmor's
 * allow-all listener); rules → the egress section's table; no egress section: allow all in EnhanceProtect, deny all
 * in DefenseInDepth (vArmor's deny-all listener). In DefenseInDepth a behaviour model's egress is allowed as well.
 */
export function compileDecisionTable(plan: NetworkProxyPlan, specPointer: string, behaviorModel?: ArmorProfileModel): Result<DecisionTable> {
  switch (plan.build.kind) {
    case 'AlwaysAllow':
    case 'RuntimeDefault':
      return ok(ALLOW_ALL);
    case 'Rules': {
      const table = plan.egress ? compileEgress(plan.egress.rules, plan.egress.pointer) : ok(plan.mode === 'DefenseInDepth' ? DENY_ALL : ALLOW_ALL);
      return plan.mode === 'DefenseInDepth' ? seeded(table, behaviorModel) : table;
    }
    default:
      return fail([coreErrors.error('mode-unsupported', `${specPointer}/policy/mode`, `NetworkProxy cannot build a proxy configuration for mode ${plan.mode} (vArmor refuses BehaviorModeling with NetworkProxy)`)]);
  }
}

import { type Artifact, type CompileContext, type NetworkProxyPlan, type PolicyError, type Result, resultOf } from '@armorkit/core';
import { formatCidr, parseCidr } from '@armorkit/core/address';
import type { EgressAllowList, EgressEntry } from './allow-list.js';
import { egressListErrors } from './errors.js';

type EgressRule = NonNullable<NetworkProxyPlan['egress']>['rules'];

/** The NetworkProxy part of a plan → an allow-list artifact. Pure: same plan, same bytes. */
export function compileEgressList(plan: NetworkProxyPlan, context: CompileContext): Result<Artifact<'NetworkProxy'>> {
  const errors: PolicyError[] = [];
  const list: EgressAllowList = { profileName: plan.profileName, defaultAction: 'allow', enforce: plan.action === 'deny' || plan.action === 'audit-deny', entries: [] };
  switch (plan.build.kind) {
    case 'AlwaysAllow':
      break;
    case 'Rules':
      if (plan.egress) Object.assign(list, fromEgress(plan.egress.rules, plan.egress.pointer, plan.action !== 'deny' && plan.action !== 'allow', errors));
      break;
    default:
      errors.push(egressListErrors.error('egress-list-build-unsupported', `${context.specPointer}/policy/mode`, `the egress allow-list cannot build a ${plan.build.kind} profile (mode ${plan.mode})`));
  }
  const artifact: Artifact<'NetworkProxy'> = {
    enforcer: 'NetworkProxy',
    profileName: plan.profileName,
    profileMode: plan.profileMode,
    files: [{ suffix: 'egress.json', content: `${JSON.stringify(list, null, 2)}\n` }],
    data: list,
  };
  return resultOf(artifact, errors);
}

function fromEgress(egress: EgressRule, pointer: string, auditDenied: boolean, errors: PolicyError[]): Pick<EgressAllowList, 'defaultAction' | 'entries'> {
  egress.httpRules?.forEach((_, index) =>
    errors.push(egressListErrors.error('egress-list-http-rule', `${pointer}/httpRules/${index}`, 'httpRules need a proxy that reads requests; the egress allow-list decides by address and port only')),
  );
  const entries = (egress.rules ?? []).map((rule): EgressEntry => {
    const verdict = rule.qualifiers.includes('allow') ? 'allow' : rule.qualifiers.includes('deny') ? 'deny' : egress.defaultAction.toLowerCase() === 'deny' ? 'deny' : 'allow';
    return {
      verdict,
      audit: rule.qualifiers.includes('audit') || (verdict === 'deny' && auditDenied),
      network: networkOf(rule.ip, rule.cidr),
      ports: (rule.ports ?? []).map((range) => ({ from: range.port, to: range.endPort ?? range.port })),
    };
  });
  return { defaultAction: egress.defaultAction.toLowerCase() === 'deny' ? 'deny' : 'allow', entries };
}

/** The schema has checked ip and cidr already; an address is its own /32 or /128. */
function networkOf(ip: string | undefined, cidr: string | undefined): string {
  const text = cidr ?? (ip === undefined || ip === '' ? undefined : ip.includes(':') ? `${ip}/128` : `${ip}/32`);
  if (text === undefined || text === '') return '*';
  const network = parseCidr(text);
  return 'problem' in network ? text : formatCidr(network);
}

import type { ArtifactExplanation } from '@armorkit/core';
import type { ProxyConfig } from '../config/proxy-config.js';
import type { HttpRule, L4Rule, PortInterval } from '../decision/table.js';

const ports = (intervals: readonly PortInterval[] | undefined) =>
  intervals ? ` port ${intervals.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(', ')}` : '';

function describeL4(rule: L4Rule): string {
  return `TCP, TLS and HTTP to ${rule.networks ? rule.networks.join(', ') : 'any address'}${ports(rule.ports)}`;
}

function describeHttp(rule: HttpRule): string {
  const hosts = rule.hosts ? ` to ${rule.hosts.map((host) => (host === '*' ? 'any host' : host)).join(', ')}` : '';
  const methods = rule.methods ? ` ${rule.methods.join(' ')}` : '';
  const paths = rule.paths ? ` path ${rule.paths.map((path) => ('exact' in path ? path.exact : `${path.prefix}*`)).join(', ')}` : '';
  // vArmor's SNI permissions: the hosts and ports of the rule; a passthrough connection shows no method or path.
  const tls = rule.hosts ? `; TLS passthrough by server name${ports(rule.ports)}${rule.methods || rule.paths ? ' (method and path not seen there)' : ''}` : '; not on TLS passthrough (no hosts)';
  return `HTTP${methods}${hosts}${ports(rule.ports)}${paths}${tls}`;
}

/**
 * The decision table as `explain` prints it, in evaluation order: deny rules (L4, then HTTP), then allow rules, then
 * the default action; with defaultAction allow, allow rules only mark what they match for audit.
 */
export function explainProxyConfig(config: ProxyConfig): ArtifactExplanation {
  const table = config.decisions;
  const defaultDeny = table.defaultAction === 'deny';
  const rules = [...table.l4Rules.map((rule) => ({ rule, text: describeL4(rule) })), ...table.httpRules.map((rule) => ({ rule, text: describeHttp(rule) }))];
  const audited = (rule: L4Rule | HttpRule) => (rule.audit || (defaultDeny && rule.action === 'deny') ? ', audited' : '');
  const entry = ({ rule, text }: (typeof rules)[number], verb: string) => ({
    text: `${verb}${audited(rule)}: ${text}${rule.description ? ` (${rule.description})` : ''}`,
    pointer: rule.pointer,
  });
  const entries = [
    ...(config.mitm ? [{ text: `TLS to ${config.mitm.domains.join(', ')} is intercepted: each request in it is judged as an HTTP request` }] : []),
    ...rules.filter(({ rule }) => rule.action === 'deny').map((rule) => entry(rule, 'deny')),
    ...rules.filter(({ rule }) => rule.action === 'allow').map((rule) => entry(rule, defaultDeny ? 'allow' : 'allow (as the default does)')),
    { text: defaultDeny ? 'otherwise deny, audited' : 'otherwise allow' },
  ];
  if (defaultDeny && config.spoofingProtection.enabled) {
    entries.push({ text: 'an allow granted by a name (server name, Host) holds only for an address the name resolves to (spoofing protection)' });
  }
  return { heading: 'decision table, in evaluation order', entries };
}

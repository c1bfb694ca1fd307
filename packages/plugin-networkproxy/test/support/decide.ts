import { errorsOf } from '@armorkit/core';
import { expect } from 'vitest';
import { createDecider } from '../../src/decision/decider.js';
import type { Decider, Decision, TrafficFacts } from '../../src/decision/facts.js';
import { enhanceProtectPolicy, networkProxyTester } from './tester.js';

const tester = networkProxyTester();

/** The decider of a policy: its YAML compiled by the plugin, the table and mitm domains given to createDecider. */
export function deciderOf(yaml: string): Decider {
  const out = tester.compileResult(yaml, 'NetworkProxy');
  expect(errorsOf(out)).toEqual([]);
  if (!out.ok) throw new Error('does not compile');
  return createDecider(out.value.data.decisions, { mitmDomains: out.value.data.mitm?.domains ?? [] });
}

/** The decider of an EnhanceProtect policy with this egress section (YAML under `egress:`). */
export function deciderFor(egress: string, extra = ''): Decider {
  return deciderOf(enhanceProtectPolicy(egress, extra));
}

const family = (address: string) => (address.includes(':') ? 6 : 4);

export const tcp = (address: string, port: number): TrafficFacts => ({ layer: 'tcp', destination: { address, port, family: family(address) } });
export const tls = (address: string, port: number, serverName?: string): TrafficFacts => ({
  layer: 'tls',
  destination: { address, port, family: family(address) },
  ...(serverName !== undefined ? { serverName } : {}),
});
export const http = (address: string, port: number, request: { host?: string; method?: string; path?: string; tls?: boolean; mitmDomain?: string } = {}): TrafficFacts => ({
  layer: 'http',
  destination: { address, port, family: family(address) },
  method: request.method ?? 'GET',
  path: request.path ?? '/',
  tls: request.tls ?? false,
  ...(request.host !== undefined ? { host: request.host } : {}),
  ...(request.mitmDomain !== undefined ? { mitmDomain: request.mitmDomain } : {}),
});

/** A decision in short: `allow`, `deny`, with `+audit`, `@l4:0` / `@http:1` for the deciding rule, `~name` for allowedByName. */
export function short(decision: Decision): string {
  const rule = decision.rule ? ` @${decision.rule.kind}:${decision.rule.index}` : '';
  const name = decision.allowedByName !== undefined ? ` ~${decision.allowedByName}` : '';
  const intercept = decision.intercept !== undefined ? ` mitm:${decision.intercept}` : '';
  return `${decision.action}${decision.audit ? '+audit' : ''}${rule}${name}${intercept}`;
}

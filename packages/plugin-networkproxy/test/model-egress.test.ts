import { errorsOf } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { createDecider } from '../src/decision/decider.js';
import { short, tcp, tls } from './support/decide.js';
import { networkProxyTester } from './support/tester.js';

// DefenseInDepth: the egress a behaviour model recorded (BPF's connect events) seeds the proxy's allow rules; vArmor
// cannot (its NetworkProxy has no model). Decided by the same decider the proxy runs.
const policy = (egress: string) => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: { name: api, namespace: shop }
spec:
  target: { kind: Deployment, name: api }
  policy:
    enforcer: NetworkProxy
    mode: DefenseInDepth
    defenseInDepth:
      networkProxy: {${egress}}
`;
const MODEL = `apiVersion: crd.varmor.org/v1beta1
kind: ArmorProfileModel
metadata: { name: varmor-shop-api, namespace: shop }
data:
  dynamicResult:
    bpf:
      network:
        egresses:
          - { ip: 10.96.0.10, ports: [53] }
          - { ip: 10.0.3.7, ports: [5432, 443, 444, 445] }
          - { ip: "fd00::7", ports: [8443] }
    appArmor:
      profiles: [varmor-shop-api]
      networks:
        egresses:
          - { ip: 10.96.0.10, ports: [853] }
          - { ip: 192.0.2.1 }
`;

function compiled(yaml: string, models?: string) {
  const out = networkProxyTester().compileResult(yaml, 'NetworkProxy', models === undefined ? {} : { models });
  expect(errorsOf(out)).toEqual([]);
  if (!out.ok) throw new Error('does not compile');
  return out.value.data;
}

describe('NetworkProxy seeded from the behaviour model', () => {
  it('allows what the model reached, on the ports it used; the rest is denied and audited', () => {
    const config = compiled(policy(''), MODEL);
    const decider = createDecider(config.decisions);
    expect(short(decider.decide(tcp('10.96.0.10', 53)))).toBe('allow @l4:1');
    expect(short(decider.decide(tcp('10.96.0.10', 853)))).toBe('allow @l4:1');
    expect(short(decider.decide(tcp('10.96.0.10', 80)))).toBe('deny+audit');
    expect(short(decider.decide(tls('10.0.3.7', 444, 'db.internal')))).toBe('allow @l4:0');
    expect(short(decider.decide(tcp('10.0.3.7', 446)))).toBe('deny+audit');
    expect(short(decider.decide(tcp('fd00::7', 8443)))).toBe('allow @l4:3');
    expect(short(decider.decide(tcp('fd00::8', 8443)))).toBe('deny+audit');
    // recorded without ports: every port of that address
    expect(short(decider.decide(tcp('192.0.2.1', 22)))).toBe('allow @l4:2');
    expect(short(decider.decide(tcp('203.0.113.9', 443)))).toBe('deny+audit');
    expect(config.decisions.l4Rules.map((rule) => [rule.networks, rule.ports, rule.pointer])).toEqual([
      [['10.0.3.7/32'], [[443, 445], [5432, 5432]], '/data/dynamicResult/bpf/network/egresses/1'],
      [['10.96.0.10/32'], [[53, 53], [853, 853]], '/data/dynamicResult/bpf/network/egresses/0'],
      [['192.0.2.1/32'], undefined, '/data/dynamicResult/appArmor/networks/egresses/1'],
      [['fd00::7/128'], [[8443, 8443]], '/data/dynamicResult/bpf/network/egresses/2'],
    ]);
    expect(config.decisions.l4Rules[0]?.description).toBe('recorded by BehaviorModeling (ArmorProfileModel varmor-shop-api)');
  });

  it('comes after the policy\'s own rules, whose denials still win', () => {
    const config = compiled(policy(' egress: { defaultAction: deny, rules: [{ qualifiers: [deny], ip: 10.0.3.7, ports: [{ port: 5432 }] }, { qualifiers: [allow], ip: 198.51.100.1 }] } '), MODEL);
    const decider = createDecider(config.decisions);
    expect(short(decider.decide(tcp('10.0.3.7', 5432)))).toBe('deny+audit @l4:0');
    expect(short(decider.decide(tcp('10.0.3.7', 443)))).toBe('allow @l4:2');
    expect(short(decider.decide(tcp('198.51.100.1', 80)))).toBe('allow @l4:1');
  });

  it('without a model, or with one that connected nowhere, DefenseInDepth denies everything as before', () => {
    expect(compiled(policy('')).decisions).toEqual({ defaultAction: 'deny', l4Rules: [], httpRules: [] });
    const quiet = MODEL.replace(/ {4}bpf:[\s\S]*?(?= {4}appArmor:)/, '').replace(/ {6}networks:[\s\S]*$/, '');
    expect(compiled(policy(''), quiet).decisions).toEqual({ defaultAction: 'deny', l4Rules: [], httpRules: [] });
  });
});

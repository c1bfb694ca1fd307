import type { ArmorProfileModel } from '@armorkit/core/schema';
import { describe, expect, it } from 'vitest';
import { compileBpfProfile } from '../src/compile/compile-plan.js';
import { CAPABILITY_NUMBERS } from '../src/compile/capabilities.js';
import { MAX_RULES_PER_TYPE } from '../src/compile/limits.js';
import { SOCKET_DOMAIN_NUMBERS, SOCKET_TYPE_NUMBERS } from '../src/compile/socket-constants.js';
import { encodeProfile } from '../src/encode/encode-profile.js';
import { evaluate } from '../src/evaluate.js';
import { bpfPolicy, planFor } from './support/compile-policy.js';

// DefenseInDepth from a behaviour model: BPF denies what the model did not record where the complement is a list of
// rules. Checked through the evaluator, which tests elsewhere hold equal to the kernel programs.
const DEFENSE = bpfPolicy('DefenseInDepth', '    defenseInDepth: {}\n');
const ALLOW = bpfPolicy('DefenseInDepth', '    defenseInDepth: {allowViolations: true}\n');

function model(bpf: NonNullable<NonNullable<NonNullable<ArmorProfileModel['data']>['dynamicResult']>['bpf']>): ArmorProfileModel {
  return { apiVersion: 'crd.varmor.org/v1beta1', kind: 'ArmorProfileModel', metadata: { name: 'varmor-test-demo' }, data: { dynamicResult: { bpf } } };
}

const SERVER = model({
  executions: ['/usr/bin/python3.11'],
  capabilities: ['net_bind_service'],
  network: {
    // as the ring buffer spells them (AppArmor's `inet` / `stream` are read too)
    sockets: [{ domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP' }, { domain: 'unix', type: 'stream', protocol: '0' }],
    egresses: [{ ip: '10.0.0.7', ports: [443, 8443] }],
  },
});

function compiled(policy: string, behaviorModel?: ArmorProfileModel) {
  const result = compileBpfProfile(planFor(policy), behaviorModel ? { behaviorModel } : {});
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result;
}

const socket = (domain: string, type: string) => ({ operation: 'socket' as const, domain: SOCKET_DOMAIN_NUMBERS[domain]!, type: SOCKET_TYPE_NUMBERS[type]!, protocol: 0 });
const connect = (address: string, port: number) => ({ operation: 'connect' as const, address, port });
const capability = (name: string) => ({ operation: 'capability' as const, capability: CAPABILITY_NUMBERS[name]! });

describe('BPF from a behaviour model', () => {
  const { value: profile, warnings } = compiled(DEFENSE, SERVER);

  it('allows what the model recorded', () => {
    for (const request of [socket('inet', 'stream'), socket('unix', 'stream'), connect('10.0.0.7', 443), connect('10.0.0.7', 8443), capability('net_bind_service')]) {
      expect(evaluate(profile, request), JSON.stringify(request)).toEqual({ allowed: true });
    }
  });

  it('denies and reports everything else it can express', () => {
    for (const request of [
      socket('inet', 'raw'),
      socket('inet', 'dgram'),
      socket('inet6', 'stream'),
      socket('packet', 'raw'),
      connect('10.0.0.8', 443),
      connect('10.0.0.7', 80),
      connect('10.0.0.7', 444),
      connect('127.0.0.1', 8080),
      connect('fd00::7', 443),
      capability('net_raw'),
      capability('sys_admin'),
      { operation: 'ptrace' as const, permission: 'trace' as const, peer: 'other' as const },
    ]) {
      expect(evaluate(profile, request), JSON.stringify(request)).toEqual({ allowed: false, event: 'DENIED' });
    }
  });

  it('says which parts of the model it cannot enforce, and the profile fits the kernel maps', () => {
    expect(warnings.map((w) => `${w.code}: ${w.message}`)).toEqual([
      "bpf-model-partial: BPF enforces the model's capabilities, sockets, ptrace and egress; it cannot express its executions, files (deny rules only), which AppArmor's profile enforces",
    ]);
    expect(profile.networks.length).toBeLessThanOrEqual(MAX_RULES_PER_TYPE);
    expect(encodeProfile(profile)).not.toHaveProperty('problem');
  });

  it('a model that connected nowhere denies every connection; one with too many addresses leaves egress to others', () => {
    const quiet = compiled(DEFENSE, model({ network: { sockets: [{ domain: 'inet', type: 'stream', protocol: 'tcp' }] } })).value;
    expect(evaluate(quiet, connect('127.0.0.1', 80))).toEqual({ allowed: false, event: 'DENIED' });
    expect(evaluate(quiet, connect('::1', 80))).toEqual({ allowed: false, event: 'DENIED' });
    // Each address costs up to 32 CIDRs of its complement: three spread ones do not fit beside the others.
    const egresses = Array.from({ length: 3 }, (_, i) => ({ ip: `${10 + 60 * i}.0.0.1`, ports: [443] }));
    const busy = compiled(DEFENSE, model({ network: { egresses } }));
    expect(busy.warnings[0]?.message).toContain('executions, files, egresses');
    expect(evaluate(busy.value, connect('192.0.2.1', 80))).toEqual({ allowed: true });
  });

  it('with allowViolations the profile complains: nothing is refused, everything reported (the model grows)', () => {
    const complain = compiled(ALLOW, SERVER).value;
    expect(complain.profileMode).toBe('complain');
    expect(evaluate(complain, socket('inet', 'raw'))).toEqual({ allowed: true, event: 'ALLOWED' });
  });

  it('without a model it says what is missing', () => {
    const result = compileBpfProfile(planFor(DEFENSE), {});
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((e) => `${e.code} ${e.pointer}`)).toEqual(['behavior-model-missing /spec/policy/mode']);
  });
});

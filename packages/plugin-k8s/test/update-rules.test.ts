import { describe, expect, it } from 'vitest';
import { checkPolicyUpdate } from '../src/index.js';

interface PolicyShape {
  kind: string;
  spec: { target: Record<string, unknown>; policy: Record<string, unknown> };
  status?: Record<string, unknown>;
}

function policy(policyFields: Record<string, unknown> = {}, status?: Record<string, unknown>, target: Record<string, unknown> = { kind: 'Deployment', name: 'web' }): PolicyShape {
  return {
    kind: 'VarmorPolicy',
    spec: { target, policy: { enforcer: 'AppArmorBPFSeccomp', mode: 'EnhanceProtect', ...policyFields } },
    ...(status ? { status } : {}),
  };
}

const modelling = { profileName: 'varmor-demo-web', ready: true, phase: 'Modeling' };
const codes = (previous: unknown, next: unknown) => checkPolicyUpdate(previous, next).map((error) => `${error.code} ${error.pointer}`);

describe('update rules (vArmor internal/policy/validate.go)', () => {
  it('allow an update that changes only what may change', () => {
    expect(checkPolicyUpdate(policy(), policy({ enhanceProtect: { hardeningRules: ['disallow-write-core-pattern'] } }))).toEqual([]);
    expect(checkPolicyUpdate(policy({ mode: 'EnhanceProtect' }), policy({ mode: 'AlwaysAllow' }))).toEqual([]);
  });

  it('spec.target is immutable: kind, name, selector, containers', () => {
    expect(checkPolicyUpdate(policy(), policy({}, undefined, { kind: 'Deployment', name: 'web' }))).toEqual([]);
    expect(checkPolicyUpdate(policy(), policy({}, undefined, { kind: 'StatefulSet', name: 'web' }))).toEqual([
      {
        code: 'target-immutable',
        pointer: '/spec/target/kind',
        message: 'spec.target is immutable: target.kind was "Deployment", now "StatefulSet"; delete and recreate the policy to retarget it',
      },
    ]);
    expect(codes(policy(), policy({}, undefined, { kind: 'Deployment', name: 'api' }))).toEqual(['target-immutable /spec/target/name']);
    const selected = { kind: 'Pod', selector: { matchLabels: { app: 'a' } }, containers: ['c0'] };
    expect(codes(policy({}, undefined, selected), policy({}, undefined, { ...selected, selector: { matchLabels: { app: 'b' } } }))).toEqual([
      'target-immutable /spec/target/selector/matchLabels/app',
    ]);
    expect(codes(policy({}, undefined, selected), policy({}, undefined, { ...selected, containers: ['c0', 'c1'] }))).toEqual(['target-immutable /spec/target/containers']);
    // Keys in another order are the same target.
    expect(checkPolicyUpdate(policy({}, undefined, selected), policy({}, undefined, { containers: ['c0'], selector: { matchLabels: { app: 'a' } }, kind: 'Pod' }))).toEqual([]);
  });

  it('networkProxyConfig.proxyUID, proxyPort and proxyAdminPort are immutable (unset means the default)', () => {
    const proxied = (config: Record<string, unknown> | undefined) => policy({ enforcer: 'NetworkProxy', ...(config ? { networkProxyConfig: config } : {}) });
    expect(checkPolicyUpdate(proxied(undefined), proxied({ proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 }))).toEqual([]);
    expect(checkPolicyUpdate(proxied({ proxyUID: 2000 }), proxied({ proxyUID: 2000, mitm: { domains: ['a.example'] } }))).toEqual([]);
    expect(checkPolicyUpdate(proxied({ proxyUID: 2000 }), proxied({ proxyUID: 2001 }))).toEqual([
      {
        code: 'proxy-config-immutable',
        pointer: '/spec/policy/networkProxyConfig/proxyUID',
        message: 'networkProxyConfig.proxyUID is immutable: was 2000, now 2001; delete and recreate the policy to change it',
        value: 2001,
      },
    ]);
    expect(codes(proxied(undefined), proxied({ proxyPort: 16001 }))).toEqual(['proxy-config-immutable /spec/policy/networkProxyConfig/proxyPort']);
    expect(codes(proxied({ proxyAdminPort: 16000 }), proxied(undefined))).toEqual(['proxy-config-immutable /spec/policy/networkProxyConfig/proxyAdminPort']);
  });

  it('no leaving BehaviorModeling while status.phase is Modeling', () => {
    const model = (mode: string, status?: Record<string, unknown>) => policy({ enforcer: 'AppArmorSeccomp', mode }, status);
    expect(checkPolicyUpdate(model('BehaviorModeling', modelling), model('DefenseInDepth'))).toEqual([
      {
        code: 'modeling-mode-locked',
        pointer: '/spec/policy/mode',
        message: 'mode cannot change from BehaviorModeling to "DefenseInDepth" while the policy is modelling (status.phase Modeling); wait until the phase is Completed',
        value: 'DefenseInDepth',
      },
    ]);
    expect(checkPolicyUpdate(model('BehaviorModeling', { ...modelling, phase: 'Completed' }), model('DefenseInDepth'))).toEqual([]);
    expect(checkPolicyUpdate(model('BehaviorModeling'), model('DefenseInDepth'))).toEqual([]);
    expect(checkPolicyUpdate(model('BehaviorModeling', modelling), model('BehaviorModeling'))).toEqual([]);
  });

  it('no changing the enforcer while modelling', () => {
    const model = (enforcer: string, status?: Record<string, unknown>) => policy({ enforcer, mode: 'BehaviorModeling' }, status);
    expect(codes(model('AppArmor', modelling), model('AppArmorSeccomp'))).toEqual(['modeling-enforcer-locked /spec/policy/enforcer']);
    expect(checkPolicyUpdate(model('AppArmor', modelling), model('AppArmorSeccomp'))[0]!.message).toBe(
      'enforcer cannot change from "AppArmor" to "AppArmorSeccomp" while the policy is modelling (status.phase Modeling)',
    );
    // The same enforcers written in another order are the same enforcer.
    expect(checkPolicyUpdate(model('AppArmorSeccomp', modelling), model('SeccompAppArmor'))).toEqual([]);
    expect(checkPolicyUpdate(model('AppArmor', { ...modelling, phase: 'Completed' }), model('AppArmorSeccomp'))).toEqual([]);
  });

  it('AppArmor and Seccomp cannot be removed from the enforcer; BPF can', () => {
    const enforced = (enforcer: string) => policy({ enforcer });
    expect(checkPolicyUpdate(enforced('AppArmorBPFSeccomp'), enforced('AppArmorSeccomp'))).toEqual([]);
    expect(checkPolicyUpdate(enforced('AppArmor'), enforced('AppArmorBPFSeccomp'))).toEqual([]);
    expect(checkPolicyUpdate(enforced('AppArmorBPFSeccomp'), enforced('BPF'))).toEqual([
      {
        code: 'enforcer-removed',
        pointer: '/spec/policy/enforcer',
        message: 'AppArmor and Seccomp cannot be removed from the enforcer (was "AppArmorBPFSeccomp", now "BPF"): pods already use their profiles; only BPF can be removed',
        value: 'BPF',
      },
    ]);
    expect(checkPolicyUpdate(enforced('AppArmorSeccomp'), enforced('AppArmor'))[0]!.message).toBe(
      'Seccomp cannot be removed from the enforcer (was "AppArmorSeccomp", now "AppArmor"): pods already use its profile; only BPF can be removed',
    );
    expect(codes(enforced('AppArmorBPF'), enforced('BPF'))).toEqual(['enforcer-removed /spec/policy/enforcer']);
    // vArmor's bit test refuses removing BPF while adding Seccomp; removing only BPF is what its rule means to allow.
    expect(checkPolicyUpdate(enforced('AppArmorBPF'), enforced('AppArmorSeccomp'))).toEqual([]);
  });

  it('reports every refused change at once', () => {
    const before = policy({ enforcer: 'AppArmorSeccomp', mode: 'BehaviorModeling', networkProxyConfig: { proxyPort: 16001 } }, modelling);
    const after = policy({ enforcer: 'AppArmor', mode: 'EnhanceProtect' }, undefined, { kind: 'Pod', name: 'web' });
    expect(codes(before, after)).toEqual([
      'target-immutable /spec/target/kind',
      'proxy-config-immutable /spec/policy/networkProxyConfig/proxyPort',
      'modeling-mode-locked /spec/policy/mode',
      'modeling-enforcer-locked /spec/policy/enforcer',
      'enforcer-removed /spec/policy/enforcer',
    ]);
  });

  it('refuse an update whose previous version they cannot read, and leave an unreadable new version to validation', () => {
    expect(checkPolicyUpdate({ kind: 'VarmorPolicy', spec: {} }, policy())).toEqual([
      {
        code: 'previous-unreadable',
        pointer: '',
        message: 'the previous version is not a policy the update rules can read (/spec/target: Invalid input: expected record, received undefined); refusing the update',
      },
    ]);
    expect(checkPolicyUpdate(policy(), { kind: 'VarmorPolicy', spec: { policy: 'x' } })).toEqual([]);
  });
});

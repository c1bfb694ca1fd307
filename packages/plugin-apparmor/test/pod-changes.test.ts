import { type PodContainer, varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { describe, expect, it } from 'vitest';
import { apparmor } from '../src/plugin.js';

// The AppArmor backend's pod changes (vArmor §6.3, §9 item 5): the kubelet annotation before 1.30, the field from 1.30.
const tester = new PolicyTester({ plugins: [varmorDialect(), apparmor()], rulePacks: [builtinRules] });
const { engine } = tester;
const plan = tester.plan(`{apiVersion: crd.varmor.org/v1beta1, kind: VarmorPolicy, metadata: {name: web, namespace: shop},
  spec: {target: {kind: Deployment, name: web}, policy: {enforcer: AppArmor, mode: AlwaysAllow}}}`);
const container = (name: string, index: number, extra: Partial<PodContainer> = {}): PodContainer => ({
  name,
  index,
  pointer: `/spec/template/spec/containers/${index}`,
  privileged: false,
  env: [],
  volumeMounts: [],
  ...extra,
});
const changes = (containers: PodContainer[], annotations: Record<string, string>, minor: number) => {
  const result = engine.podChanges(plan, { workloadKind: 'Deployment', annotations, containers, initContainers: [], volumes: [] }, { major: 1, minor });
  if (!result.ok) throw new Error('failed');
  return { changes: result.value[0]!.changes, warnings: result.warnings.map((warning) => `${warning.code} ${warning.pointer}`) };
};

describe('AppArmor pod changes', () => {
  it('before 1.30: the kubelet annotation; unconfined and opted-out containers left out; a user annotation kept', () => {
    const annotations = {
      'container.apparmor.security.beta.kubernetes.io/unconfined': 'unconfined',
      'container.apparmor.security.beta.varmor.org/opted-out': 'unconfined',
      'container.apparmor.security.beta.kubernetes.io/users': 'runtime/default',
      'container.apparmor.security.beta.kubernetes.io/earlier': 'localhost/varmor-shop-old',
    };
    const result = changes([container('unconfined', 0), container('opted-out', 1), container('users', 2), container('earlier', 3), container('plain', 4)], annotations, 29);
    expect(result.changes).toEqual([
      { kind: 'annotation', key: 'container.apparmor.security.beta.kubernetes.io/earlier', value: 'localhost/varmor-shop-web', container: 'earlier' },
      { kind: 'annotation', key: 'container.apparmor.security.beta.kubernetes.io/plain', value: 'localhost/varmor-shop-web', container: 'plain' },
    ]);
    expect(result.warnings).toEqual(['apparmor-pod-profile-kept /spec/template/spec/containers/2/name']);
  });

  it('from 1.30: vArmor\'s annotation and appArmorProfile; Unconfined and user profiles left out; ours updated', () => {
    const result = changes(
      [
        container('unconfined', 0, { appArmorProfile: { type: 'Unconfined' } }),
        container('users', 1, { appArmorProfile: { type: 'RuntimeDefault' } }),
        container('ours', 2, { appArmorProfile: { type: 'Localhost', localhostProfile: 'varmor-shop-old' } }),
      ],
      { 'container.apparmor.security.beta.varmor.org/ours': 'localhost/varmor-shop-old' },
      30,
    );
    expect(result.changes).toEqual([
      { kind: 'annotation', key: 'container.apparmor.security.beta.varmor.org/ours', value: 'localhost/varmor-shop-web', container: 'ours' },
      { kind: 'container-security-profile', container: 'ours', field: 'appArmorProfile', value: { type: 'Localhost', localhostProfile: 'varmor-shop-web' } },
    ]);
    expect(result.warnings).toEqual(['apparmor-pod-profile-kept /spec/template/spec/containers/1/securityContext/appArmorProfile']);
  });
});

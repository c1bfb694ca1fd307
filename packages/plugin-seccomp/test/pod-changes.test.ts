import { type PodContainer, type PodView, varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { describe, expect, it } from 'vitest';
import { seccomp } from '../src/plugin.js';

// The seccomp backend's pod changes through the engine (vArmor §6.3); plugin-k8s turns them into patches.
const tester = new PolicyTester({ plugins: [varmorDialect(), seccomp()], rulePacks: [builtinRules] });
const { engine } = tester;
const planFor = (mode: string) =>
  tester.plan(`{apiVersion: crd.varmor.org/v1beta1, kind: VarmorPolicy, metadata: {name: db, namespace: data},
    spec: {target: {kind: Pod, name: db}, policy: {enforcer: Seccomp, mode: ${mode}${mode === 'EnhanceProtect' ? ', enhanceProtect: {hardeningRules: [disallow-create-user-ns]}' : ''}}}}`);
const container = (name: string, index: number, extra: Partial<PodContainer> = {}): PodContainer => ({
  name,
  index,
  pointer: `/spec/containers/${index}`,
  privileged: false,
  env: [],
  volumeMounts: [],
  ...extra,
});
const pod = (containers: PodContainer[], extra: Partial<PodView> = {}): PodView => ({ workloadKind: 'Pod', annotations: {}, containers, initContainers: [], volumes: [], ...extra });
const version = { major: 1, minor: 30 };

describe('seccomp pod changes', () => {
  it('Localhost for EnhanceProtect, RuntimeDefault for RuntimeDefault, with the marker annotation', () => {
    const changes = (mode: string) => engine.podChanges(planFor(mode), pod([container('db', 0)]), version);
    expect(changes('EnhanceProtect')).toEqual({
      ok: true,
      warnings: [],
      value: [
        {
          enforcer: 'Seccomp',
          changes: [
            { kind: 'annotation', key: 'container.seccomp.security.beta.varmor.org/db', value: 'localhost/varmor-data-db', container: 'db' },
            { kind: 'container-security-profile', container: 'db', field: 'seccompProfile', value: { type: 'Localhost', localhostProfile: 'varmor-data-db' } },
          ],
        },
      ],
    });
    expect(changes('RuntimeDefault')).toMatchObject({ ok: true, value: [{ changes: [{ kind: 'annotation' }, { value: { type: 'RuntimeDefault' } }] }] });
  });

  it('leaves out opted-out, privileged and Unconfined containers, and an Unconfined pod; keeps a user profile with a warning', () => {
    const plan = planFor('EnhanceProtect');
    const only = (view: PodView) => {
      const result = engine.podChanges(plan, view, version);
      if (!result.ok) throw new Error('failed');
      return { containers: [...new Set(result.value[0]!.changes.map((change) => ('container' in change ? change.container : '')))], warnings: result.warnings.map((warning) => warning.pointer) };
    };
    const containers = [
      container('opted-out', 0),
      container('privileged', 1, { privileged: true }),
      container('unconfined', 2, { seccompProfile: { type: 'Unconfined' } }),
      container('users', 3, { seccompProfile: { type: 'RuntimeDefault' } }),
      container('ours', 4, { seccompProfile: { type: 'RuntimeDefault' } }),
      container('plain', 5),
    ];
    const annotations = { 'container.seccomp.security.beta.varmor.org/opted-out': 'unconfined', 'container.seccomp.security.beta.varmor.org/ours': 'localhost/varmor-data-db' };
    expect(only(pod(containers, { annotations }))).toEqual({ containers: ['ours', 'plain'], warnings: ['/spec/containers/3/securityContext/seccompProfile'] });
    expect(only(pod(containers, { annotations, seccompProfile: { type: 'Unconfined' } }))).toEqual({ containers: [], warnings: [] });
  });
});

import { varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { describe, expect, it } from 'vitest';
import { bpf } from '../src/plugin.js';

// The BPF backend's pod changes (vArmor §6.3): one annotation per targeted container, which the node agent reads.
const tester = new PolicyTester({ plugins: [varmorDialect(), bpf({ diskDevices: [] })], rulePacks: [builtinRules] });
const { engine } = tester;
const plan = tester.plan(`{apiVersion: crd.varmor.org/v1beta1, kind: VarmorClusterPolicy, metadata: {name: ci},
  spec: {target: {kind: DaemonSet, name: runner, containers: [a, b]}, policy: {enforcer: BPF, mode: AlwaysAllow}}}`);
const container = (name: string, index: number) => ({ name, index, pointer: `/spec/template/spec/containers/${index}`, privileged: index === 1, env: [], volumeMounts: [] });

describe('BPF pod changes', () => {
  it('annotates the targeted containers, privileged or not, except one opted out', () => {
    const pod = {
      workloadKind: 'DaemonSet' as const,
      annotations: { 'container.bpf.security.beta.varmor.org/b': 'unconfined' },
      containers: [container('a', 0), container('b', 1), container('c', 2)],
      initContainers: [],
      volumes: [],
    };
    expect(engine.podChanges(plan, pod, { major: 1, minor: 29 })).toEqual({
      ok: true,
      warnings: [],
      value: [{ enforcer: 'BPF', changes: [{ kind: 'annotation', key: 'container.bpf.security.beta.varmor.org/a', value: 'localhost/varmor-cluster-varmor-ci', container: 'a' }] }],
    });
    const all = { ...pod, annotations: {}, containers: [container('a', 0), container('b', 1)] };
    expect(engine.podChanges(plan, all, { major: 1, minor: 29 })).toMatchObject({ ok: true, value: [{ changes: [{ container: 'a' }, { container: 'b' }] }] });
  });
});

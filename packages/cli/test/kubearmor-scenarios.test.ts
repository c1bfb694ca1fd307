import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertAgrees, expectation, readScenarioCases, selectedCases } from './support/kubearmor-scenarios.js';

// The reading of KubeArmor's scenario table that the kernel-lab replay (test/kernel/kubearmor-replay.test.ts) uses.
describe("KubeArmor's scenario commands (shared/corpus/kubearmor/_scenario_cmds_HEAD.tsv)", () => {
  const cases = readScenarioCases();

  it('has 134 cases, each naming a policy of the corpus', () => {
    expect(cases).toHaveLength(134);
    expect(cases.filter((one) => !existsSync(one.policy))).toEqual([]);
    expect(cases[0]).toMatchObject({ id: 'kubearmor-dev-next_test_01/cmd1', command: 'diff --help', result: 'failed', operation: 'Process', condition: 'diff', action: 'Block' });
  });

  it("reads the expectations as KubeArmor's runner does under the audit posture", () => {
    const base = { id: 'x', policy: 'p', command: 'c', operation: 'File', condition: '/etc/hosts' };
    expect(expectation({ ...base, result: 'failed', action: 'Block' })).toEqual({ passes: false, alert: { action: 'Block' } });
    expect(expectation({ ...base, result: 'passed', action: 'Audit' })).toEqual({ passes: true, alert: { action: 'Audit' } });
    expect(expectation({ ...base, result: 'default', action: 'default' })).toEqual({ passes: true, alert: { action: 'Audit', policyName: 'DefaultPosture' } });
    expect(expectation({ ...base, result: 'default', action: 'Block' })).toEqual({ passes: false, alert: { action: 'Block', policyName: 'DefaultPosture' } });
    expect(expectation({ ...base, result: 'passed', action: 'Allow' })).toEqual({ passes: true, alert: undefined });
    const block = { Timestamp: 1, UpdatedTime: 't', Type: 'MatchedPolicy', Operation: 'File', Resource: '/etc/hosts', Action: 'Block' } as const;
    expect(alertAgrees({ ...base, result: 'failed', action: 'Block' }, [block])).toBe(true);
    expect(alertAgrees({ ...base, result: 'passed', action: 'Block' }, [block])).toBe(false);
    expect(alertAgrees({ ...base, result: 'passed', action: 'Allow' }, [])).toBe(true);
  });

  it('selects all, a range of rows, or an even spread', () => {
    expect(selectedCases(cases, 'all', 8)).toHaveLength(134);
    expect(selectedCases(cases, undefined, 8).map((one) => one.id)).toHaveLength(8);
    expect(selectedCases(cases, '20', 8)).toHaveLength(20);
    expect(selectedCases(cases, '3-5', 8)).toEqual(cases.slice(2, 5));
    expect(selectedCases(cases, '1-134', 8)).toHaveLength(134);
    expect(() => selectedCases(cases, '100-135', 8)).toThrow('rows 100-135 are not within 1-134');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeArmorAlert } from '@armorkit/plugin-kubearmor/alerts';

// KubeArmor's 134 shell scenario commands (shared/corpus/kubearmor/_scenario_cmds_HEAD.tsv, reference §6.3 and
// Appendix C): the policy, the command, the result and the alert KubeArmor's runner expects.

export const CORPUS = new URL('../../../../../shared/corpus/kubearmor/', import.meta.url).pathname;

export interface ScenarioCase {
  /** `multiubuntu_test_05/cmd2`. */
  id: string;
  /** Absolute path of the policy in the corpus. */
  policy: string;
  /** What `kubectl exec -- bash -c` ran. */
  command: string;
  result: 'passed' | 'failed' | 'default';
  operation: string;
  /** Substring of the alert's Resource. */
  condition: string;
  action: 'Allow' | 'Audit' | 'Block' | 'default';
}

export function readScenarioCases(): ScenarioCase[] {
  const [header, ...rows] = readFileSync(join(CORPUS, '_scenario_cmds_HEAD.tsv'), 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split('\t');
  return rows.map((row) => {
    const cells = Object.fromEntries(row.split('\t').map((cell, i) => [columns[i] ?? String(i), cell]));
    const field = (name: string) => cells[name] ?? '';
    const result = field('expected_result');
    const action = field('action');
    if (result !== 'passed' && result !== 'failed' && result !== 'default') throw new Error(`${row}: expected_result ${result}`);
    if (action !== 'Allow' && action !== 'Audit' && action !== 'Block' && action !== 'default') throw new Error(`${row}: action ${action}`);
    return {
      id: `${field('scenario_dir').split('/').pop() ?? ''}/${field('cmd')}`,
      policy: join(CORPUS, field('policy_file')),
      command: field('command'),
      result,
      operation: field('operation'),
      condition: field('condition'),
      action,
    };
  });
}

/**
 * What the case expects under the audit default posture (KubeArmor's default, and armorkit's), as KubeArmor's runner
 * reads it (`test-scenarios-local.sh`, reference §6): the command's outcome, and the alert — Audit+passed and
 * Block/Allow+failed need an alert of that action; result `default` is the posture's: with action `default` it passes
 * with a DefaultPosture Audit alert, with action Block (a native `apparmor:` denial) it fails with a DefaultPosture
 * Block one; Allow+passed and Block+passed need none (and there must be no Block alert for it).
 */
export function expectation(scenario: ScenarioCase): { passes: boolean; alert: { action: 'Audit' | 'Block'; policyName?: string } | undefined } {
  if (scenario.result === 'default' && scenario.action === 'Block') return { passes: false, alert: { action: 'Block', policyName: 'DefaultPosture' } };
  if (scenario.result === 'default' || scenario.action === 'default') {
    return { passes: true, alert: { action: 'Audit', policyName: 'DefaultPosture' } };
  }
  const passes = scenario.result === 'passed';
  if (scenario.action === 'Audit') return { passes, alert: passes ? { action: 'Audit' } : { action: 'Block' } };
  if (!passes) return { passes, alert: { action: 'Block' } };
  return { passes, alert: undefined };
}

/** Does an alert say what the case expects (operation, resource, action)? */
export function alertAgrees(scenario: ScenarioCase, alerts: readonly KubeArmorAlert[]): boolean {
  const { alert } = expectation(scenario);
  const about = alerts.filter((one) => one.Operation === scenario.operation && (one.Resource ?? '').includes(scenario.condition));
  if (!alert) return !about.some((one) => one.Action === 'Block');
  return about.some((one) => one.Action === alert.action && (alert.policyName === undefined || one.PolicyName === alert.policyName));
}

/**
 * The cases a run replays (ARMORKIT_KUBEARMOR_REPLAY): `all`; `FROM-TO`, rows FROM to TO of the table (1-based,
 * inclusive: the whole replay in parts that each fit one VM run); or N, spread evenly over the table.
 */
export function selectedCases(cases: readonly ScenarioCase[], setting: string | undefined, fallback: number): ScenarioCase[] {
  if (setting === 'all') return [...cases];
  const range = /^(\d+)-(\d+)$/.exec(setting ?? '');
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (from < 1 || to < from || to > cases.length) throw new Error(`ARMORKIT_KUBEARMOR_REPLAY=${setting}: rows ${from}-${to} are not within 1-${cases.length}`);
    return cases.slice(from - 1, to);
  }
  const count = Math.min(cases.length, Math.max(1, Number.parseInt(setting ?? '', 10) || fallback));
  return Array.from({ length: count }, (_, i) => cases[Math.floor((i * cases.length) / count)]).filter((one): one is ScenarioCase => one !== undefined);
}

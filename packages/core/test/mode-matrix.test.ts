import { describe, expect, it } from 'vitest';
import { testTester } from './helpers.js';
import { baseProfile } from '../src/plan.js';
import { errorsOf } from '../src/result.js';

// The whole mode × enforcer matrix (reference §2.2, §1.0), resolved into plans and compared with a reviewed golden file.

const MODES = ['AlwaysAllow', 'RuntimeDefault', 'EnhanceProtect', 'BehaviorModeling', 'DefenseInDepth'] as const;
const ENFORCERS = ['AppArmor', 'BPF', 'Seccomp', 'NetworkProxy'] as const;
const VIOLATIONS = [
  { auditViolations: false, allowViolations: false },
  { auditViolations: true, allowViolations: false },
  { auditViolations: true, allowViolations: true },
  { auditViolations: false, allowViolations: true },
];

function policyYaml(mode: string, enforcer: string, extra: string): string {
  return `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: matrix, namespace: test}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: ${enforcer}
    mode: ${mode}
${extra}`;
}

function modeSection(mode: string, enforcer: string, violations: (typeof VIOLATIONS)[number], privileged: boolean): string {
  switch (mode) {
    case 'EnhanceProtect':
      return `    enhanceProtect:
      privileged: ${privileged}
      auditViolations: ${violations.auditViolations}
      allowViolations: ${violations.allowViolations}
      hardeningRules: [disable-cap-net-raw]
      attackProtectionRules:
      - rules: [mitigate-sa-leak, disable-chmod-x-bit, block-access-to-metadata-service]
      - rules: [mitigate-sa-leak]
        targets: [/bin/bash]
      vulMitigationRules: [dirty-pipe-mitigation]
`;
    case 'BehaviorModeling':
      return `    modelingOptions: {duration: 30}\n`;
    case 'DefenseInDepth':
      return `    defenseInDepth:
      allowViolations: ${violations.allowViolations}
${enforcer === 'AppArmor' ? '      appArmor: {profileType: BehaviorModel}\n' : ''}${enforcer === 'Seccomp' ? '      seccomp: {profileType: Custom, customProfile: \'{"defaultAction":"SCMP_ACT_ERRNO"}\'}\n' : ''}${enforcer === 'NetworkProxy' ? '      networkProxy: {egress: {defaultAction: deny}}\n' : ''}`;
    default:
      return '';
  }
}

describe('mode × enforcer matrix', () => {
  const tester = testTester();
  const rows: Record<string, unknown> = {};
  for (const mode of MODES) {
    for (const enforcer of ENFORCERS) {
      const variants =
        mode === 'EnhanceProtect'
          ? VIOLATIONS.flatMap((v) => [false, true].map((privileged) => ({ v, privileged })))
          : mode === 'DefenseInDepth'
            ? VIOLATIONS.slice(2, 4).concat(VIOLATIONS[0]!).map((v) => ({ v, privileged: false }))
            : [{ v: VIOLATIONS[0]!, privileged: false }];
      for (const { v, privileged } of variants) {
        const key = `${mode} ${enforcer}${mode === 'EnhanceProtect' ? ` audit=${v.auditViolations} allow=${v.allowViolations} privileged=${privileged}` : ''}${mode === 'DefenseInDepth' ? ` allow=${v.allowViolations}` : ''}`;
        const resolved = tester.planResult(policyYaml(mode, enforcer, modeSection(mode, enforcer, v, privileged)), { file: 'matrix.yaml' });
        if (!resolved.ok) {
          rows[key] = { rejected: resolved.errors.map((e) => `${e.pointer}: ${e.message}`) };
          continue;
        }
        const plan = resolved.value;
        const p = plan.enforcers[enforcer]!;
        rows[key] = {
          base: baseProfile(p.build),
          profileMode: p.profileMode,
          action: p.action,
          privileged: p.privileged,
          rules: p.rules.map((r) => r.rule.meta.id + (r.targets ? ` (targets ${r.targets.join(',')})` : '')),
          skipped: p.skipped.map((s) => `${s.rule.meta.id}: ${s.reason}`),
          warnings: plan.warnings.map((w) => `${w.pointer}: ${w.message}`),
        };
      }
    }
  }

  it('matches the reviewed golden matrix', async () => {
    await expect(JSON.stringify(rows, null, 2) + '\n').toMatchFileSnapshot('golden/mode-matrix.json');
  });

  it('rejects the combinations vArmor forbids', () => {
    expect(rows['BehaviorModeling NetworkProxy']).toHaveProperty('rejected');
    // vArmor also refuses DefenseInDepth with BPF; armorkit's BPF enforces what it can of the model (docs/modeling.md).
    expect(rows['DefenseInDepth BPF allow=false']).toMatchObject({ base: 'BehaviorModel', action: 'deny' });
  });

  it('turns auditViolations/allowViolations into the violation action', () => {
    const action = (audit: boolean, allow: boolean) =>
      (rows[`EnhanceProtect AppArmor audit=${audit} allow=${allow} privileged=false`] as { action: string }).action;
    expect([action(false, false), action(true, false), action(true, true), action(false, true)]).toEqual([
      'deny',
      'audit-deny',
      'audit',
      'allow',
    ]);
  });
});

describe('rule look-up', () => {
  it('reports an unknown rule at its position with a suggestion', () => {
    const text = policyYaml('EnhanceProtect', 'AppArmor', '    enhanceProtect:\n      hardeningRules:\n      - disable-cap-net-rw\n');
    const resolved = testTester().planResult(text, { file: 'p.yaml' });
    expect(resolved).toMatchObject({ ok: false, stage: 'resolve' });
    expect(resolved.ok ? undefined : resolved.plan).toBeUndefined();
    expect(errorsOf(resolved)).toEqual([
      expect.objectContaining({
        code: 'unknown-rule',
        pointer: '/spec/policy/enhanceProtect/hardeningRules/0',
        message: 'unknown rule "disable-cap-net-rw"; did you mean "disable-cap-net-raw"?',
        location: expect.objectContaining({ file: 'p.yaml', line: 11, column: 9 }),
      }),
    ]);
  });
});

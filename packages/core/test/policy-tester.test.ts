import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineEnforcer } from '../src/engine/backend.js';
import type { Plugin } from '../src/engine/plugin.js';
import { defineErrors } from '../src/error-catalog.js';
import { fail, ok } from '../src/result.js';
import { PolicyTester } from '../src/testing/index.js';
import { varmorDialect } from '../src/dialect/varmor.js';
import { testRules } from './helpers.js';

// The kit itself: what it accepts, and that each of its assertions fails when what it checks is wrong.

const errors = defineErrors('seccomp-double', { 'double-refused': { description: 'The test double refuses the policy.' } });
/** A seccomp backend that writes the plan's action, and refuses policies named `refuse` (with `undeclared` as code for `rogue`). */
const double: Plugin = {
  name: 'seccomp-double',
  meta: { name: 'seccomp-double', version: '0.0.0' },
  errors,
  backends: [
    defineEnforcer({
      enforcer: 'Seccomp',
      compile: (plan, context) => {
        const name = context.plan.policy.name;
        if (name === 'refuse') return fail([errors.error('double-refused', `${context.specPointer}/policy`, 'refused by the double')]);
        if (name === 'rogue') return fail([{ code: 'undeclared', pointer: '', message: 'a code nobody declared' }]);
        return ok({ enforcer: 'Seccomp', profileName: plan.profileName, profileMode: plan.profileMode, files: [{ suffix: 'txt', content: `${plan.action}\n` }], data: undefined });
      },
    }),
  ],
};

const policy = (name: string, mode = 'AlwaysAllow') => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: ${name}, namespace: test}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: Seccomp
    mode: ${mode}
`;

const goldens = mkdtempSync(join(tmpdir(), 'policy-tester-'));
afterAll(() => rmSync(goldens, { recursive: true, force: true }));
const tester = new PolicyTester({ plugins: [varmorDialect(), double], rulePacks: [testRules], goldens, updateGoldens: false });

tester.run('the kit through its own run()', {
  valid: [{ name: 'compiles', yaml: policy('demo') }],
  invalid: [
    { name: 'schema', yaml: policy('demo', 'Sometimes'), stage: 'parse', errors: [{ code: 'invalid-value', pointer: '/spec/policy/mode', line: 8, column: 11 }] },
    { name: 'refused', yaml: policy('refuse'), stage: 'compile', errors: [{ code: 'double-refused', message: 'refused' }] },
  ],
});

describe('PolicyTester assertions', () => {
  it('fail when the codes, the stage, the pointer, the position or the message differ', async () => {
    const refused = { yaml: policy('refuse'), stage: 'compile' as const };
    await expect(tester.assertInvalid({ ...refused, errors: ['other-code'] })).rejects.toThrow(/expected codes \[other-code\]/);
    await expect(tester.assertInvalid({ ...refused, errors: ['double-refused', 'double-refused'] })).rejects.toThrow(/expected codes/);
    await expect(tester.assertInvalid({ ...refused, stage: 'resolve', errors: ['double-refused'] })).rejects.toThrow(/expected to fail at resolve, failed at compile/);
    await expect(tester.assertInvalid({ ...refused, errors: [{ code: 'double-refused', pointer: '/spec' }] })).rejects.toThrow(/pointer "\/spec\/policy"/);
    await expect(tester.assertInvalid({ ...refused, errors: [{ code: 'double-refused', line: 1 }] })).rejects.toThrow(/on line 7, not 1/);
    await expect(tester.assertInvalid({ ...refused, errors: [{ code: 'double-refused', message: /accepted/ }] })).rejects.toThrow(/not matching/);
    await expect(tester.assertInvalid({ yaml: policy('demo'), stage: 'compile', errors: [] })).rejects.toThrow(/passed every stage/);
    await expect(tester.assertValid({ yaml: policy('refuse') })).rejects.toThrow(/expected to compile, failed at compile:\n {2}\[double-refused\] policy\.yaml:7:5/);
  });

  it('fail on an error code no catalog declares, whichever helper sees it', async () => {
    await expect(tester.assertInvalid({ yaml: policy('rogue'), stage: 'compile', errors: ['undeclared'] })).rejects.toThrow(/no catalog of the engine declares/);
    expect(() => tester.outcome({ yaml: policy('rogue') })).toThrow(/\[undeclared\]/);
  });

  it('compare goldens byte for byte; a missing one fails; updating writes it', async () => {
    await expect(tester.assertValid({ yaml: policy('demo'), golden: 'demo.txt' })).rejects.toThrow(/does not exist; run the tests with UPDATE_GOLDENS=1/);
    const updating = new PolicyTester({ plugins: [varmorDialect(), double], goldens, updateGoldens: true });
    await updating.assertValid({ yaml: policy('demo'), golden: { Seccomp: 'demo.txt' } });
    expect(readFileSync(join(goldens, 'demo.txt'), 'utf8')).toBe('allow\n');
    await tester.assertValid({ yaml: policy('demo'), golden: 'demo.txt' });
    await expect(tester.assertValid({ yaml: policy('demo', 'RuntimeDefault'), golden: 'demo.txt' })).rejects.toThrow(/differs from the golden file/);
  });

  it('give tests the typed values, or fail them with the errors printed', () => {
    expect(tester.parse(policy('demo')).map((p) => p.name)).toEqual(['demo']);
    expect(tester.plan(policy('demo')).enforcers.Seccomp?.action).toBe('allow');
    expect(tester.compile(policy('demo'), 'Seccomp').files).toEqual([{ suffix: 'txt', content: 'allow\n' }]);
    expect(() => tester.compile(policy('refuse'), 'Seccomp')).toThrow(/Seccomp does not compile:\n {2}\[double-refused\]/);
    expect(() => tester.plan(policy('demo', 'Sometimes'))).toThrow(/fails at parse/);
    expect(() => tester.parse('kind: ConfigMap\n')).not.toThrow();
    expect(() => tester.plan('kind: ConfigMap\n')).toThrow(/has 0 policies/);
  });
});

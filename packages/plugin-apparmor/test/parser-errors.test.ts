import { errorsOf, formatPolicyError } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { apparmorTester } from './helpers.js';
import { parseParserErrors, runParser } from '../src/verify/apparmor-parser.js';

// Problems in a raw rule, found by the grammar at compile or by apparmor_parser at verify, point at the policy field
// and at the line:column of the rule itself in the YAML file.

const policy = (rules: string) => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata:
  name: demo
  namespace: demo
spec:
  target:
    kind: Deployment
    selector:
      matchLabels:
        app: demo
  policy:
    enforcer: AppArmor
    mode: EnhanceProtect
    enhanceProtect:
      appArmorRawRules:
      - rules: |
${rules.split('\n').map((line) => `          ${line}`).join('\n')}
`;
const POINTER = '/spec/policy/enhanceProtect/appArmorRawRules/0/rules';

function compile(rules: string) {
  const tester = apparmorTester();
  const plan = tester.plan(policy(rules));
  return { e: tester.engine, plan, outcome: tester.engine.compileEnforcer(plan, 'AppArmor') };
}

describe('where raw rule problems are reported', () => {
  it('a grammar problem: the field, and the YAML line and column of the statement', () => {
    const { outcome } = compile('deny /etc/hosts r,\n  /usr/bin/curl Ux,');
    expect(errorsOf(outcome).map(formatPolicyError)).toEqual([`policy.yaml:19:27: ${POINTER}: line 2, column 17: exec transition "Ux" is not allowed (use ix, or deny x)`]);
  });

  it('an apparmor_parser problem: the field, the raw rule line, and its YAML line and column', async () => {
    const { e, plan, outcome } = compile('deny /etc/hosts r,\n  deny /tmp/x r,');
    if (!outcome.ok) throw new Error(outcome.errors.map(formatPolicyError).join('\n'));
    const artifact = outcome.value;
    // A statement apparmor_parser refuses in place of the one printed from raw rule line 2 (origins unchanged):
    // what verify reports must lead back to that line.
    const lines = artifact.data.text.split('\n');
    const at = lines.indexOf('  deny /tmp/x r,');
    expect(artifact.data.origins[at]).toEqual({ pointer: POINTER, source: 'raw rule line 2', line: 2, column: 3 });
    lines[at] = '  deny /tmp/[a-] r,';
    const broken = { ...artifact, data: { ...artifact.data, text: lines.join('\n') } };
    const errors = errorsOf(await e.verify(broken, plan.policy.source));
    expect(errors.map(formatPolicyError)).toEqual([`policy.yaml:19:13: ${POINTER}: raw rule line 2, column 3: apparmor_parser: ERROR processing regexs for profile varmor-demo-demo, failed to load`]);
    // Without the source (an artifact read back from disk) the error still names the field and the rule's line.
    expect(errorsOf(await e.verify(broken)).map((error) => `${error.pointer}: ${error.message}`)).toEqual([`${POINTER}: raw rule line 2, column 3: apparmor_parser: ERROR processing regexs for profile varmor-demo-demo, failed to load`]);
  });
});

describe('a parser run that does not finish', () => {
  it('is stopped at the time limit and reported as an error, not waited on', async () => {
    // A stand-in for an apparmor_parser stuck on a huge automaton: the run is killed and says why.
    const run = await runParser('/bin/sleep', ['30'], 200);
    expect(run.code).toBe(124);
    expect(parseParserErrors(run.stderr)).toEqual([{ message: expect.stringMatching(/did not finish within 0.2 s: the rules make its automaton too large/) }]);
  });
});

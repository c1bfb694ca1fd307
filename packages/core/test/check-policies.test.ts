import { describe, expect, it } from 'vitest';
import { varmorDialect } from '../src/dialect/varmor.js';
import { checkPolicies } from '../src/engine/check-policies.js';
import { createEngine } from '../src/engine/engine.js';
import { definePlugin } from '../src/engine/plugin.js';
import { defineEnforcer } from '../src/engine/backend.js';
import { formatPolicyError, policyError } from '../src/errors.js';
import { fail, ok } from '../src/result.js';
import { testRules } from './helpers.js';

const policy = (name: string, enforcer = 'Seccomp') => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: ${name}, namespace: demo}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: ${enforcer}
    mode: AlwaysAllow
`;

/** A seccomp "enforcer" whose compile and verify misbehave for some profile names, and a dialect tap that throws. */
const misbehaving = definePlugin(() => ({
  name: 'misbehaving',
  meta: { name: 'misbehaving', version: '0.0.0' },
  backends: [
    defineEnforcer({
      enforcer: 'Seccomp',
      compile(plan) {
        if (plan.profileName.includes('explode-compile')) throw new TypeError('plan.rules is undefined');
        if (plan.profileName.includes('refused')) return fail([policyError('misbehaving-refused', '/spec/policy', 'refused on purpose')]);
        return ok({ enforcer: 'Seccomp', profileName: plan.profileName, profileMode: 'enforce', files: [], data: {} });
      },
      async verify(artifact) {
        if (artifact.profileName.includes('explode-verify')) throw new Error('tool crashed');
        if (artifact.profileName.includes('reject-verify')) return Promise.reject(new Error('exit status 139'));
        return artifact.profileName.includes('unverified') ? fail([policyError('misbehaving-verify', '', 'the tool says no')]) : ok(undefined);
      },
      async load() {
        throw new Error('EACCES: permission denied');
      },
    }),
  ],
  apply(engine) {
    engine.hooks.parse.tap({ name: 'misbehaving', stage: -1 }, (document) => {
      if (JSON.stringify(document.data).includes('explode-parse')) throw new SyntaxError('Cannot convert ten to a BigInt');
      return undefined;
    });
    engine.hooks.resolveMode.tap('misbehaving', (plan) => {
      if (plan.profileName.includes('explode-resolve')) throw new Error('no mode matrix for this');
      return plan;
    });
  },
}));

const engine = () => createEngine({ plugins: [varmorDialect(), misbehaving()], rulePacks: [testRules] });

describe('checkPolicies', () => {
  it('turns a throw in any stage into an error naming the plugin and the stage, and checks every other input', async () => {
    // explode-compile comes first: its compile error is reported before the parse error of the file after it.
    const inputs = ['explode-compile', 'ok', 'explode-parse', 'explode-resolve', 'explode-verify', 'unverified', 'refused', 'reject-verify'].map((name) => ({
      name: `${name}.yaml`,
      text: policy(name),
    }));
    const outcome = await checkPolicies(engine(), inputs);
    expect(outcome.errors.map(formatPolicyError)).toEqual([
      'explode-compile.yaml:7:15: /spec/policy/enforcer: plugin "misbehaving" failed in compile: plan.rules is undefined',
      'explode-parse.yaml:1:1: /: plugin "misbehaving" failed in parse: Cannot convert ten to a BigInt',
      'explode-resolve.yaml:5:3: /spec: plugin "misbehaving" failed in resolveMode: no mode matrix for this',
      'explode-verify.yaml:1:1: /: plugin "misbehaving" failed in verify: tool crashed',
      'unverified.yaml:1:1: /: the tool says no',
      'refused.yaml:7:5: /spec/policy: refused on purpose',
      'reject-verify.yaml:1:1: /: plugin "misbehaving" failed in verify: exit status 139',
    ]);
    expect(outcome.errors.map((error) => error.code)).toEqual(['plugin-failed', 'plugin-failed', 'plugin-failed', 'plugin-failed', 'misbehaving-verify', 'misbehaving-refused', 'plugin-failed']);
    expect(outcome.checked.filter((checked) => checked.errors.length === 0).map((checked) => checked.file)).toEqual(['ok.yaml']);
  });

  it('verify is skipped only when asked', async () => {
    const outcome = await checkPolicies(engine(), [{ name: 'u.yaml', text: policy('unverified') }], { verify: false });
    expect(outcome.errors).toEqual([]);
    expect(outcome.checked[0]!.artifacts.map((artifact) => artifact.profileName)).toEqual(['varmor-demo-unverified']);
  });

  it('reports an enforcer no plugin compiles at its line, and every enforcer of a policy', async () => {
    const outcome = await checkPolicies(engine(), [{ name: 'multi.yaml', text: policy('explode-compile', 'SeccompAppArmor') }]);
    expect(outcome.errors.map(formatPolicyError)).toEqual([
      'multi.yaml:7:15: /spec/policy/enforcer: no installed plugin compiles AppArmor profiles (install @armorkit/plugin-apparmor and add it to the engine)',
      'multi.yaml:7:15: /spec/policy/enforcer: plugin "misbehaving" failed in compile: plan.rules is undefined',
    ]);
  });

  it('refuses one profile name twice only when asked', async () => {
    const inputs = [{ name: 'a.yaml', text: policy('same') }, { name: 'b.yaml', text: policy('same') }];
    expect((await checkPolicies(engine(), inputs)).errors).toEqual([]);
    const unique = await checkPolicies(engine(), inputs, { uniqueProfileNames: true });
    expect(unique.errors.map((error) => [error.code, error.location?.file])).toEqual([['duplicate-profile-name', 'b.yaml']]);
  });

  it('attributes a backend that rejects outside the pure stages to its plugin and stage', async () => {
    const built = engine();
    const { checked } = await checkPolicies(built, [{ name: 'ok.yaml', text: policy('ok') }]);
    const loaded = await built.load(checked[0]!.artifacts[0]!);
    expect(loaded).toEqual({
      ok: false,
      errors: [{ code: 'plugin-failed', pointer: '', message: 'plugin "misbehaving" failed in load: EACCES: permission denied' }],
      warnings: [],
    });
    expect(await built.unload('Seccomp', 'varmor-demo-ok')).toMatchObject({
      ok: false,
      errors: [{ code: 'enforcer-cannot-do', message: 'no installed plugin unloads Seccomp profiles' }],
    });
    expect(await built.confine(checked[0]!.artifacts[0]!)).toMatchObject({ ok: false, errors: [{ code: 'enforcer-cannot-do' }] });
    expect(await built.openAuditSource('BPF')).toMatchObject({ ok: false, errors: [{ code: 'enforcer-not-installed' }] });
  });
});

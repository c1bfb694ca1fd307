import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const scratch = mkdtempSync(join(tmpdir(), 'armorkit-validate-update-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), cwd: scratch });
  return { code, out, err };
}

function write(name: string, text: string): string {
  writeFileSync(join(scratch, name), text);
  return name;
}

// As `kubectl get vpol web -o yaml` prints it: status included.
const policy = (enforcer: string, target: string, phase = 'Protecting', mode = 'EnhanceProtect') => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata:
  name: web
  namespace: demo
spec:
  target:
    kind: Deployment
    name: ${target}
  policy:
    enforcer: ${enforcer}
    mode: ${mode}
${mode === 'EnhanceProtect' ? '    enhanceProtect:\n      hardeningRules: [disallow-create-user-ns]\n' : '    modelingOptions: {duration: 30}\n'}status:
  profileName: varmor-demo-web
  ready: true
  phase: ${phase}
`;

describe('validate --previous: vArmor update rules offline', () => {
  it('passes an update that keeps what must not change', async () => {
    write('old.yaml', policy('Seccomp', 'web'));
    write('new.yaml', policy('AppArmorSeccomp', 'web'));
    const result = await run(['validate', '--no-verify', '--previous', 'old.yaml', 'new.yaml']);
    expect(result).toEqual({
      code: 0,
      out: '1 file(s), 1 valid policy, 0 error(s), 0 warning(s)\nupdate from old.yaml: 1 policy compared, 0 change(s) refused\n',
      err: '',
    });
  });

  it('exits 1 naming the field, its place in the new file and the reason', async () => {
    write('old.yaml', policy('AppArmorSeccomp', 'web'));
    write('new.yaml', policy('AppArmor', 'api'));
    const result = await run(['validate', '--no-verify', '--previous', 'old.yaml', 'new.yaml']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      [
        'new.yaml:9:11: /spec/target/name: spec.target is immutable: target.name was "web", now "api"; delete and recreate the policy to retarget it',
        'new.yaml:11:15: /spec/policy/enforcer: Seccomp cannot be removed from the enforcer (was "AppArmorSeccomp", now "AppArmor"): pods already use its profile; only BPF can be removed',
        // validate's own checks follow the update rules'.
        'new.yaml:14:24: /spec/policy/enhanceProtect/hardeningRules/0: rule "disallow-create-user-ns" does nothing with enforcer AppArmor (it is implemented by Seccomp) (warning)',
        '',
      ].join('\n'),
    );
    expect(result.out).toBe('1 file(s), 1 valid policy, 0 error(s), 1 warning(s)\nupdate from old.yaml: 1 policy compared, 2 change(s) refused\n');
  });

  it('refuses leaving BehaviorModeling while the old status says Modeling', async () => {
    write('old.yaml', policy('AppArmor', 'web', 'Modeling', 'BehaviorModeling'));
    write('new.yaml', policy('AppArmor', 'web', 'Modeling'));
    const result = await run(['validate', '--no-verify', '--previous', 'old.yaml', 'new.yaml']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^new\.yaml:\d+:\d+: \/spec\/policy\/mode: mode cannot change from BehaviorModeling to "EnhanceProtect" while the policy is modelling/);
  });

  it('reads the previous versions from a List, as kubectl get -A -o yaml prints several', async () => {
    const indented = (text: string) => text.split('\n').map((line, index) => (line === '' ? line : index === 0 ? `- ${line}` : `  ${line}`)).join('\n');
    write('old.yaml', `apiVersion: v1\nkind: List\nitems:\n${indented(policy('AppArmorSeccomp', 'web'))}`);
    write('new.yaml', policy('AppArmorSeccomp', 'api'));
    const result = await run(['validate', '--no-verify', '--previous', 'old.yaml', 'new.yaml']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^new\.yaml:9:11: \/spec\/target\/name: spec\.target is immutable/);
    expect(result.out).toContain('update from old.yaml: 1 policy compared, 1 change(s) refused');
  });

  it('says when a policy has no previous version, and reports a missing --previous file as a usage error', async () => {
    write('old.yaml', policy('Seccomp', 'web').replace('name: web\n  namespace', 'name: other\n  namespace'));
    write('new.yaml', policy('Seccomp', 'web'));
    const unmatched = await run(['validate', '--no-verify', '--previous', 'old.yaml', 'new.yaml']);
    expect(unmatched.code).toBe(0);
    expect(unmatched.err).toBe('new.yaml: VarmorPolicy demo/web has no previous version in old.yaml; checked as a new policy\n');
    expect(unmatched.out).toContain('update from old.yaml: 0 policies compared, 0 change(s) refused');
    expect(await run(['validate', '--previous', 'missing.yaml', 'new.yaml'])).toMatchObject({ code: 2, err: 'armorkit: --previous: missing.yaml: no such file or directory\n' });
  });
});

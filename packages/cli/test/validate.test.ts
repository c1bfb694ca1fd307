import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const MISBEHAVING = new URL('./fixtures/misbehaving-plugin/armorkit.config.mjs', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-validate-'));
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

const policy = (name: string, enforcer: string, enhanceProtect: string) => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: ${name}, namespace: demo}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: ${enforcer}
    mode: EnhanceProtect
    enhanceProtect:
${enhanceProtect}`;

const seccompPolicy = (name: string) =>
  policy(name, 'Seccomp', '      syscallRawRules:\n        - names: [chmod]\n          action: SCMP_ACT_ERRNO\n');

const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !line.endsWith('(warning)'));

describe('validate runs every check compile runs', () => {
  const cases = {
    // AppArmor raw rules (checked by plugin-apparmor's compile).
    'raw-brace.yaml': [policy('brace', 'AppArmor', '      appArmorRawRules:\n        - rules: |\n            }\n'), /^raw-brace\.yaml:\d+:\d+: \/spec\/policy\/enhanceProtect\/appArmorRawRules\/0\/rules: .+/],
    // Syscall names (checked by plugin-seccomp's compile).
    'syscall.yaml': [
      policy('syscall', 'Seccomp', '      syscallRawRules:\n        - names: [not_a_syscall]\n          action: SCMP_ACT_ERRNO\n'),
      /^syscall\.yaml:11:19: \/spec\/policy\/enhanceProtect\/syscallRawRules\/0\/names\/0: unknown syscall "not_a_syscall"$/,
    ],
    // The 64-rule limit once built-in rules are added (checked by plugin-bpf's compile).
    'limit.yaml': [
      policy(
        'limit',
        'BPF',
        '      attackProtectionRules:\n        - rules: [mitigate-sa-leak, disable-write-etc]\n      bpfRawRules:\n        files:\n' +
          Array.from({ length: 63 }, (_, i) => `          - {pattern: /data/f${i}, permissions: [read], qualifiers: [deny]}\n`).join(''),
      ),
      /^limit\.yaml:\d+:13: \/spec\/policy\/enhanceProtect\/bpfRawRules\/files\/\d+: the profile has 73 BPF file rules after expansion .*a profile holds at most 64/,
    ],
  } as const;

  it.each(Object.entries(cases))('%s: exit 1 with the same file:line:col: pointer: message lines as compile', async (file, [text, expected]) => {
    write(file, text);
    const validated = await run(['validate', file]);
    const compiled = await run(['compile', file]);
    expect(validated.code).toBe(1);
    expect(compiled.code).toBe(1);
    expect(errorLines(validated.err)).toHaveLength(1);
    expect(errorLines(validated.err)[0]).toMatch(expected);
    expect(errorLines(validated.err)).toEqual(errorLines(compiled.err));
    expect(validated.out).toBe('1 file(s), 0 valid policies, 1 error(s), 0 warning(s)\n');
  });

  it('says valid exactly when compile succeeds', async () => {
    write('fine.yaml', seccompPolicy('fine'));
    expect(await run(['validate', 'fine.yaml'])).toEqual({ code: 0, out: '1 file(s), 1 valid policy, 0 error(s), 0 warning(s)\n', err: '' });
    expect((await run(['compile', 'fine.yaml'])).code).toBe(0);
  });

  it('reports a crd.varmor.org kind that is not a policy at /kind, with a suggestion', async () => {
    const text = (kind: string) => `apiVersion: crd.varmor.org/v1beta1\nkind: ${kind}\nmetadata: {name: x, namespace: demo}\nspec: {}\n`;
    write('kinds.yaml', [text('VarmorProfile'), text('VarmorPolicys'), text('varmorpolicy'), text('ArmorProfileModel')].join('---\n'));
    const { code, out, err } = await run(['validate', 'kinds.yaml']);
    expect(code).toBe(1);
    expect(err).toBe(
      [
        'kinds.yaml:2:7: /kind: kind "VarmorProfile" is not a kind of crd.varmor.org/v1beta1; did you mean "VarmorPolicy"?',
        'kinds.yaml:7:7: /kind: kind "VarmorPolicys" is not a kind of crd.varmor.org/v1beta1; did you mean "VarmorPolicy"?',
        'kinds.yaml:12:7: /kind: kind "varmorpolicy" is not a kind of crd.varmor.org/v1beta1; did you mean "VarmorPolicy"?',
        'kinds.yaml:17:7: /kind: kind "ArmorProfileModel" is not a policy; expected VarmorClusterPolicy or VarmorPolicy (an ArmorProfileModel is a behaviour model; armorkit takes it with --model)',
        '',
      ].join('\n'),
    );
    expect(out).toBe('1 file(s), 0 valid policies, 4 error(s), 0 warning(s)\n');
  });
});

describe('validate DIR with a plugin that throws', () => {
  const directory = join(scratch, 'mixed');
  mkdirSync(directory);
  writeFileSync(join(directory, 'a-good.yaml'), seccompPolicy('good'));
  writeFileSync(join(directory, 'b-explode-parse.yaml'), seccompPolicy('explode-parse'));
  writeFileSync(join(directory, 'c-explode-compile.yaml'), seccompPolicy('explode-compile'));
  writeFileSync(join(directory, 'd-unknown-syscall.yaml'), seccompPolicy('unknown').replace('[chmod]', '[chmdo]'));
  writeFileSync(join(directory, 'e-tool-refuses.yaml'), seccompPolicy('tool-refuses'));

  it('reports every file, each throw as an error naming the plugin and the stage, and no stack trace', async () => {
    const { code, out, err } = await run(['--config', MISBEHAVING, 'validate', 'mixed']);
    expect(err).toBe(
      [
        'mixed/b-explode-parse.yaml:1:1: /: plugin "misbehaving" failed in parse: Invalid array length',
        'mixed/c-explode-compile.yaml:7:15: /spec/policy/enforcer: plugin "misbehaving" failed in compile: Cannot read properties of undefined (reading \'rules\')',
        'mixed/d-unknown-syscall.yaml:11:19: /spec/policy/enhanceProtect/syscallRawRules/0/names/0: unknown syscall "chmdo"; did you mean "chmod"?',
        'mixed/e-tool-refuses.yaml:1:1: /: the real tool refuses varmor-demo-tool-refuses',
        '',
      ].join('\n'),
    );
    expect(out).toBe('5 file(s), 1 valid policy, 4 error(s), 0 warning(s)\n');
    expect(code).toBe(1);
  });

  it('--no-verify skips only the real tools, as compile --no-verify does', async () => {
    const validated = await run(['--config', MISBEHAVING, 'validate', '--no-verify', join('mixed', 'e-tool-refuses.yaml')]);
    expect(validated).toMatchObject({ code: 0, out: '1 file(s), 1 valid policy, 0 error(s), 0 warning(s)\n' });
    const compiled = await run(['--config', MISBEHAVING, 'compile', join('mixed', 'e-tool-refuses.yaml')]);
    expect(compiled.code).toBe(1);
    expect(errorLines(compiled.err)).toEqual(['mixed/e-tool-refuses.yaml:1:1: /: the real tool refuses varmor-demo-tool-refuses']);
  });
});

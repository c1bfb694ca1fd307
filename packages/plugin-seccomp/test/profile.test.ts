import { readFileSync } from 'node:fs';
import { varmorDialect } from '@armorkit/core';
import { type LinuxSeccomp, linuxSeccompSchema } from '@armorkit/core/schema';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { seccomp } from '../src/plugin.js';
import { compileSeccompProfile } from '../src/profile/compile-plan.js';
import { runtimeDefaultProfile } from '../src/profile/runtime-default.js';
import { seccompPolicy } from './support/policy.js';

const CORPUS = new URL('../../../../shared/corpus/seccomp', import.meta.url).pathname;
const tester = new PolicyTester({ plugins: [varmorDialect(), seccomp()], rulePacks: [builtinRules] });

function compile(policy: string): { profile?: LinuxSeccomp; text?: string; errors: string[] } {
  const out = tester.compileResult(policy, 'Seccomp');
  if (out.ok) return { profile: out.value.data, text: out.value.files[0]!.content, errors: [] };
  if (out.stage !== 'compile') return { errors: out.errors.map((e) => `${e.pointer}: ${e.message}`) };
  return { errors: out.errors.map((e) => `${e.pointer}: ${e.message}${e.location?.line ? ` @${e.location.line}:${e.location.column}` : ''}`) };
}

describe('seccomp compile per mode', () => {
  it('AlwaysAllow and RuntimeDefault', () => {
    expect(compile(seccompPolicy('', 'AlwaysAllow')).profile).toEqual({ defaultAction: 'SCMP_ACT_ALLOW' });
    const runtimeDefault = compile(seccompPolicy('', 'RuntimeDefault')).profile!;
    expect(runtimeDefault.defaultAction).toBe('SCMP_ACT_ERRNO');
    const allowed = runtimeDefault.syscalls![0]!.names;
    expect(allowed).toContain('fchmodat2');
    expect(allowed).not.toContain('mount');
    expect(allowed).not.toContain('unshare');
    expect(allowed).toContain('chroot'); // CAP_SYS_CHROOT is in the default capability set
    expect(runtimeDefault.syscalls).toContainEqual({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  });

  it('RuntimeDefault follows the capability set like containerd', () => {
    const admin = runtimeDefaultProfile({ capabilities: ['CAP_SYS_ADMIN'] });
    expect(admin.syscalls![0]!.names).toEqual(expect.arrayContaining(['mount', 'unshare', 'clone', 'clone3', 'setns']));
    expect(admin.syscalls!.some((s) => s.names.includes('clone3') && s.action === 'SCMP_ACT_ERRNO')).toBe(false);
    expect(runtimeDefaultProfile({ arch: 'aarch64' }).architectures).toEqual(['SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64']);
  });

  it('BehaviorModeling logs everything but the noisiest I/O', () => {
    const { profile } = compile(seccompPolicy('    modelingOptions: {duration: 10}\n', 'BehaviorModeling'));
    expect(profile).toEqual({
      defaultAction: 'SCMP_ACT_LOG',
      syscalls: [{ names: ['open', 'openat', 'openat2', 'close', 'read', 'write'], action: 'SCMP_ACT_ALLOW' }],
    });
  });

  it('EnhanceProtect merges built-in rules into one entry per syscall, in vArmor order', () => {
    const { profile } = compile(
      seccompPolicy(`    enhanceProtect:
      hardeningRules: [disallow-create-user-ns, disallow-load-bpf-via-setsockopt]
      attackProtectionRules:
      - rules: [disable-chmod-x-bit, disable-chmod-s-bit]
      vulMitigationRules: [dirty-pipe-mitigation]
`),
    );
    expect(profile!.defaultAction).toBe('SCMP_ACT_ALLOW');
    const chmod = profile!.syscalls!.find((s) => s.names.join() === 'chmod')!;
    // x and s bits accumulate on one entry: five MASKED_EQ alternatives on the mode argument.
    expect(chmod.args!.map((a) => a.value)).toEqual([0x40, 0x8, 0x1, 0x800, 0x400]);
    expect(profile!.syscalls!.map((s) => s.names.join())).toEqual([
      'unshare', 'clone', 'clone3', 'setsockopt', 'setsockopt', 'splice', 'chmod', 'fchmod', 'fchmodat', 'fchmodat2',
    ]);
    expect(profile!.syscalls!.every((s) => s.action === 'SCMP_ACT_ERRNO')).toBe(true);
    expect(linuxSeccompSchema.safeParse(profile).success).toBe(true);
  });

  it('maps auditViolations/allowViolations to ERRNO(+log), LOG, or nothing', () => {
    const rules = `      hardeningRules: [disallow-userfaultfd-creation]\n`;
    const with_ = (audit: boolean, allow: boolean) =>
      compile(seccompPolicy(`    enhanceProtect:\n      auditViolations: ${audit}\n      allowViolations: ${allow}\n${rules}`)).profile!;
    expect(with_(false, false)).toEqual({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['userfaultfd'], action: 'SCMP_ACT_ERRNO' }] });
    expect(with_(true, false).flags).toEqual(['SECCOMP_FILTER_FLAG_LOG']);
    expect(with_(true, true).syscalls).toEqual([{ names: ['userfaultfd'], action: 'SCMP_ACT_LOG' }]);
    expect(with_(false, true)).toEqual({ defaultAction: 'SCMP_ACT_ALLOW' });
  });

  it('merges raw rules by vArmor rules (§2.8)', () => {
    const { profile } = compile(
      seccompPolicy(`    enhanceProtect:
      attackProtectionRules:
      - rules: [disable-chmod-x-bit]
      vulMitigationRules: [dirty-pipe-mitigation]
      syscallRawRules:
      - names: [fchmodat, splice, ptrace]
        action: SCMP_ACT_ERRNO
        args: [{index: 2, value: 0x800, valueTwo: 0x800, op: SCMP_CMP_MASKED_EQ}]
      - names: [chmod]
        action: SCMP_ACT_ERRNO
`),
    );
    const byName = (name: string) => profile!.syscalls!.filter((s) => s.names.includes(name));
    // raw args appended to the built-in entry with the same action
    expect(byName('fchmodat')).toHaveLength(1);
    expect(byName('fchmodat')[0]!.args!.map((a) => a.value)).toEqual([0x40, 0x8, 0x1, 0x800]);
    // built-in splice blocks every call: raw args on it are redundant
    expect(byName('splice')).toEqual([{ names: ['splice'], action: 'SCMP_ACT_ERRNO' }]);
    // no built-in entry: the raw rule stands alone
    expect(byName('ptrace')).toHaveLength(1);
    // raw rule without args on a built-in with args: blocks the whole syscall, built-in kept
    expect(byName('chmod')).toHaveLength(2);
    expect(byName('chmod')).toContainEqual({ names: ['chmod'], action: 'SCMP_ACT_ERRNO' });
  });

  it('rejects unknown syscall names with a suggestion and a position', () => {
    const { errors } = compile(
      seccompPolicy(`    enhanceProtect:
      syscallRawRules:
      - names: [fchmodat2, chmdo]
        action: SCMP_ACT_ERRNO
`),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^\/spec\/policy\/enhanceProtect\/syscallRawRules\/0\/names\/1: unknown syscall "chmdo"; did you mean "chmod".* @11:28$/),
    ]);
  });

  it('DefenseInDepth: custom profile with defaultAction from allowViolations, raw rules appended', () => {
    const body = (allow: boolean) => `    defenseInDepth:
      allowViolations: ${allow}
      seccomp:
        profileType: Custom
        customProfile: '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}'
        syscallRawRules:
        - names: [mount]
          action: SCMP_ACT_ERRNO
`;
    const enforce = compile(seccompPolicy(body(false), 'DefenseInDepth')).profile!;
    expect(enforce.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(enforce.syscalls!.map((s) => s.names.join())).toEqual(['read,write', 'mount']);
    expect(compile(seccompPolicy(body(true), 'DefenseInDepth')).profile!.defaultAction).toBe('SCMP_ACT_LOG');
  });

  it('refuses a container posture (file, network and capability classes are not syscalls)', () => {
    const plan = tester.plan(seccompPolicy('', 'AlwaysAllow')).enforcers.Seccomp!;
    const compiled = compileSeccompProfile({ ...plan, build: { kind: 'Posture', posture: { allowAll: ['file'], protections: ['mount'], pointer: '/spec' } } }, { specPointer: '/spec' });
    expect(compiled.ok ? [] : compiled.errors.map((error) => [error.code, error.pointer])).toEqual([['mode-unsupported', '/spec']]);
  });

  it('writes 64-bit argument values as exact JSON numbers', () => {
    const { text } = compile(
      seccompPolicy(`    enhanceProtect:
      syscallRawRules:
      - names: [personality]
        action: SCMP_ACT_ERRNO
        args: [{index: 0, value: "18446744073709551615", op: SCMP_CMP_EQ}]
`),
    );
    expect(text).toContain('"value": 18446744073709551615');
  });

  it('keeps uint64 values past 2^53 exact from a YAML integer and from a custom profile\'s JSON number', () => {
    const fromYaml = compile(
      seccompPolicy(`    enhanceProtect:
      syscallRawRules:
      - names: [personality]
        action: SCMP_ACT_ERRNO
        args: [{index: 0, value: 9007199254740993, valueTwo: 18446744073709551615, op: SCMP_CMP_MASKED_EQ}]
`),
    );
    expect(fromYaml.errors).toEqual([]);
    expect(fromYaml.text).toContain('"value": 9007199254740993');
    expect(fromYaml.text).toContain('"valueTwo": 18446744073709551615');
    const custom = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}';
    const fromJson = compile(seccompPolicy(`    defenseInDepth:\n      seccomp:\n        profileType: Custom\n        customProfile: '${custom}'\n`, 'DefenseInDepth'));
    expect(fromJson.errors).toEqual([]);
    expect(fromJson.text).toContain('"value": 18446744073709551615');
  });

  it('every mode\'s output validates against the OCI runtime-spec JSON schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const name of ['defs', 'defs-linux', 'config-linux']) {
      ajv.addSchema(JSON.parse(readFileSync(`${CORPUS}/runtime-spec-${name}.json`, 'utf8')) as object, `${name}.json`);
    }
    const validate = ajv.compile({ $ref: 'config-linux.json#/linux/properties/seccomp' });
    const outputs = [
      compile(seccompPolicy('', 'AlwaysAllow')),
      compile(seccompPolicy('', 'RuntimeDefault')),
      compile(seccompPolicy('    modelingOptions: {duration: 10}\n', 'BehaviorModeling')),
      compile(seccompPolicy(`    enhanceProtect:
      auditViolations: true
      hardeningRules: [disallow-create-user-ns, disallow-load-all-bpf-prog, disallow-load-bpf-via-setsockopt, disallow-userfaultfd-creation]
      attackProtectionRules: [{rules: [disable-chmod-x-bit, disable-chmod-s-bit]}]
      vulMitigationRules: [dirty-pipe-mitigation]
      syscallRawRules: [{names: [mount], action: SCMP_ACT_ERRNO, errnoRet: 1}]
`)),
    ];
    for (const output of outputs) {
      expect(output.errors).toEqual([]);
      const ok = validate(JSON.parse(output.text!));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { parseYamlStream } from '../src/parse/yaml-stream.js';
import { enhance, expectError, expectValid, load, policyDocument, positionOf } from './varmor-helpers.js';

const RAW = '/spec/policy/enhanceProtect/syscallRawRules/0';
const CUSTOM = '/spec/policy/defenseInDepth/seccomp/customProfile';

const syscallArg = (arg: string) => enhance(`syscallRawRules:\n- names: [personality]\n  action: SCMP_ACT_ERRNO\n  args: [${arg}]`, 'Seccomp');
const customProfile = (json: string) =>
  policyDocument(`enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  seccomp:\n    profileType: Custom\n    customProfile: '${json}'`);
const customArg = (arg: string) =>
  customProfile(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[${arg}]}]}`);

describe('seccomp uint64 values: checked before converted, exact, one error each', () => {
  it('a word where a value belongs is an error at the field, not an exception', () => {
    expectError(syscallArg('{index: 0, value: ten, op: SCMP_CMP_EQ}'), {
      code: 'invalid-value',
      pointer: `${RAW}/args/0/value`,
      at: 'value: ^ten',
      message: 'value "ten" is not an unsigned 64-bit integer (0 to 18446744073709551615) written in decimal',
    });
    expectError(syscallArg('{index: 0, value: 1, valueTwo: "0x10", op: SCMP_CMP_MASKED_EQ}'), {
      code: 'invalid-value',
      pointer: `${RAW}/args/0/valueTwo`,
      at: 'valueTwo: ^"0x10"',
      message: /^valueTwo "0x10" is not an unsigned 64-bit integer/,
    });
  });

  it('YAML integers keep every digit: 2^64-1 and 2^53+1 are accepted exactly, 2^64 is refused once, quoting its digits', () => {
    const policy = expectValid(syscallArg('{index: 0, value: 18446744073709551615, valueTwo: 9007199254740993, op: SCMP_CMP_MASKED_EQ}'));
    const arg = policy.spec.policy.enhanceProtect?.syscallRawRules?.[0]?.args?.[0];
    expect(arg?.value).toBe(18446744073709551615n);
    expect(arg?.valueTwo).toBe(9007199254740993n);
    const text = syscallArg('{index: 0, value: 18446744073709551616, op: SCMP_CMP_EQ}');
    expect(load(text).errors).toHaveLength(1);
    expectError(text, {
      code: 'invalid-value',
      pointer: `${RAW}/args/0/value`,
      at: 'value: ^18446744073709551616',
      message: 'value 18446744073709551616 does not fit in 64 bits; it must be an unsigned 64-bit integer (0 to 18446744073709551615)',
    });
  });

  it('negative, fractional and huge decimal-string values are one error each', () => {
    for (const [value, message] of [
      ['-1', /^value -1 is below 0/],
      ['-0.5', /^value -0.5 is not an unsigned 64-bit integer/],
      ['"99999999999999999999999"', /^value 99999999999999999999999 does not fit in 64 bits/],
      ['"NaN"', /^value "NaN" is not an unsigned 64-bit integer/],
      ['"+1"', /^value "\+1" is not an unsigned 64-bit integer/],
    ] as const) {
      const text = syscallArg(`{index: 0, value: ${value}, op: SCMP_CMP_EQ}`);
      expect(load(text).errors).toHaveLength(1);
      expectError(text, { code: 'invalid-value', pointer: `${RAW}/args/0/value`, at: `value: ^${value}`, message });
    }
  });

  it('YAML .nan, .inf and 1e999 are one error that says the number is not finite', () => {
    for (const [value, shown] of [['.nan', 'NaN'], ['-.inf', '-Infinity'], ['1e999', 'Infinity']] as const) {
      for (const field of ['value', 'index'] as const) {
        const arg = field === 'value' ? `{index: 0, value: ${value}, op: SCMP_CMP_EQ}` : `{index: ${value}, value: 1, op: SCMP_CMP_EQ}`;
        const text = syscallArg(arg);
        expect(load(text).errors).toHaveLength(1);
        expectError(text, { code: 'invalid-value', pointer: `${RAW}/args/0/${field}`, at: `${field}: ^${value}`, message: `${field} ${shown} is not a finite number` });
      }
    }
  });

  it('a bounded integer field given a number past 2^53 gets one error naming its own bound', () => {
    const text = syscallArg('{index: 9007199254740993, value: 1, op: SCMP_CMP_EQ}');
    expect(load(text).errors).toHaveLength(1);
    expectError(text, { code: 'invalid-value', pointer: `${RAW}/args/0/index`, at: 'index: ^9007', message: 'index 9007199254740993 is too large for this field' });
    const errno = enhance('syscallRawRules:\n- names: [personality]\n  action: SCMP_ACT_ERRNO\n  errnoRet: 1e300', 'Seccomp');
    expect(load(errno).errors).toHaveLength(1);
    expectError(errno, { code: 'invalid-value', pointer: `${RAW}/errnoRet`, at: 'errnoRet: ^1e300', message: 'errnoRet 1e+300 is greater than the maximum 4294967295' });
  });

  it('a custom profile keeps 18446744073709551615 exact and reports a bad value once, at the field, naming the JSON path', () => {
    expectValid(customArg('{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}'));
    for (const [value, message] of [
      ['"ten"', 'value "ten" is not an unsigned 64-bit integer (0 to 18446744073709551615) written in decimal'],
      ['18446744073709551616', 'value 18446744073709551616 does not fit in 64 bits; it must be an unsigned 64-bit integer (0 to 18446744073709551615)'],
    ] as const) {
      const text = customArg(`{"index":0,"value":${value},"op":"SCMP_CMP_EQ"}`);
      expect(load(text).errors).toHaveLength(1);
      expectError(text, {
        code: 'invalid-value',
        pointer: CUSTOM,
        at: "customProfile: ^'{",
        message: `customProfile is not an OCI LinuxSeccomp profile: /syscalls/0/args/0/value: ${message}`,
      });
    }
  });

  it('a custom profile with a key twice is refused, as YAML refuses it', () => {
    expectError(customProfile('{"defaultAction":"SCMP_ACT_ERRNO","defaultAction":"SCMP_ACT_ALLOW"}'), {
      code: 'invalid-value',
      pointer: CUSTOM,
      at: "customProfile: ^'{",
      message: /^customProfile is not valid JSON: Duplicate key 'defaultAction'/,
    });
  });
});

describe('keys named like Object.prototype members are plain unknown fields', () => {
  for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    it(`${key} under an object that has egress, and under spec.policy`, () => {
      for (const [text, pointer] of [
        [enhance(`bpfRawRules:\n  network:\n    ${key}: 1`), `/spec/policy/enhanceProtect/bpfRawRules/network/${key}`],
        [policyDocument(`enforcer: BPF\nmode: AlwaysAllow\n${key}: {toString: 1}`), `/spec/policy/${key}`],
      ] as const) {
        const { errors } = load(text);
        expect(errors.map((e) => e.pointer)).toEqual([pointer]);
        expect(errors[0]!.code).toBe('unknown-field');
        expect(errors[0]!.message).toMatch(new RegExp(`^unknown field "${key}"; allowed here: `));
        expect(errors[0]!.message).not.toMatch(/native code|undefined|\[object/);
      }
    });
  }
});

describe('values that only the YAML layer can write', () => {
  it('YAML 1.1 tags give JSON-shaped data (no Buffer, Set, Map or Date), and integers are numbers unless past 2^53', () => {
    const text = 'a: !!binary aGk=\nb: !!set {x, y}\nc: !!omap [x: 1]\nd: !!timestamp 2001-12-14\ne: [0x10, -0, 9007199254740993]\n';
    expect(parseYamlStream(text, 'tags.yaml').documents[0]!.data).toStrictEqual({
      a: 'aGk=',
      b: { x: null, y: null },
      c: [{ x: 1 }],
      d: '2001-12-14',
      e: [16, 0, 9007199254740993n],
    });
    expectError(policyDocument('enforcer: !!binary QlBG\nmode: AlwaysAllow'), {
      code: 'invalid-value',
      pointer: '/spec/policy/enforcer',
      at: 'enforcer: !!binary ^QlBG',
      message: /^enforcer "QlBG"/,
    });
  });

  it('a mapping key that is itself a list or a mapping is an error at the key, not a stringified key and a warning', () => {
    for (const [text, at] of [
      ['apiVersion: v1\n? [a, b]\n: c\n', '? ^[a'],
      ['apiVersion: v1\nkind: {x: 1}\nfoo: {{a: 1}: 2}\n', 'foo: {^{a'],
      ['apiVersion: v1\nbase: &k [1]\n*k : 2\n', '^*k :'],
    ] as const) {
      const { errors } = load(text);
      expect(errors.map((e) => [e.code, e.message])).toEqual([['yaml-syntax', 'a mapping key is a list or a mapping; keys must be plain scalars']]);
      expect({ line: errors[0]!.location?.line, column: errors[0]!.location?.column }).toEqual(positionOf(text, at));
    }
  });

  it('checks that echo members quote a bigint instead of throwing, and never print undefined', () => {
    const sockets = enhance('bpfRawRules:\n  network:\n    sockets:\n    - {qualifiers: [deny], domains: [18446744073709551616]}\n    - {qualifiers: [deny], domains: [18446744073709551616]}');
    expect(load(sockets).errors.map((e) => e.pointer)).toEqual([
      '/spec/policy/enhanceProtect/bpfRawRules/network/sockets/0/domains/0',
      '/spec/policy/enhanceProtect/bpfRawRules/network/sockets/1/domains/0',
    ]);
    const header = policyDocument(
      'enforcer: NetworkProxy\nmode: EnhanceProtect\nnetworkProxyConfig:\n  mitm:\n    domains: [a.example]\n    headerMutations:\n    - domain: a.example\n      headers: [{}]\nenhanceProtect:\n  networkProxyRawRules:\n    egress: {defaultAction: deny}',
    );
    expectError(header, {
      code: 'required',
      pointer: '/spec/policy/networkProxyConfig/mitm/headerMutations/0/headers/0',
      at: 'headers: [^{}]',
      message: 'a header needs a value or a secretRef',
    });
  });
});

describe('resource quantities past 2^53', () => {
  const proxy = (resources: string) =>
    policyDocument(
      `enforcer: NetworkProxy\nmode: EnhanceProtect\nnetworkProxyConfig:\n  resources:\n${resources.replace(/^/gm, '    ')}\nenhanceProtect:\n  networkProxyRawRules:\n    egress: {defaultAction: deny}`,
    );

  it('a YAML integer quantity of any size is a quantity, compared by its size', () => {
    expectValid(proxy('requests: {memory: 1Mi}\nlimits: {memory: 99999999999999999999}'));
    expectError(proxy('requests: {memory: 99999999999999999999}\nlimits: {memory: 1Gi}'), {
      code: 'constraint',
      pointer: '/spec/policy/networkProxyConfig/resources/limits/memory',
      at: 'limits: {memory: ^1Gi}',
      message: 'memory limit 1Gi is less than the request 99999999999999999999',
    });
  });

  it('a limit named like an Object.prototype member has no request to compare with', () => {
    expectValid(proxy('requests: {cpu: 1}\nlimits: {constructor: 1, __proto__: 2}'));
  });
});

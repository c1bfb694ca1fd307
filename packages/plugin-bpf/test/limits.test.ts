import { defineRule, defineRulePack, type BpfFragment, errorsOf } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { bpfTester, compilePolicy, enhancePolicy } from './support/compile-policy.js';

const raw = (yaml: string) => `      bpfRawRules:\n${yaml}`;
const files = (count: number, permissions = '[read]') =>
  Array.from({ length: count }, (_, i) => `        - {qualifiers: [deny], pattern: /data/file-${i}, permissions: ${permissions}}\n`).join('');

describe('64 rules per type, counted after expansion', () => {
  it('file rules: the RuntimeDefault base counts', () => {
    expect(compilePolicy(enhancePolicy(raw(`        files:\n${files(57)}`))).errors).toEqual([]);
    const over = compilePolicy(enhancePolicy(raw(`        files:\n${files(58)}`)));
    expect(over.errors).toEqual([
      expect.objectContaining({ code: 'bpf-rule-limit', pointer: '/spec/policy/enhanceProtect/bpfRawRules/files/57' }),
    ]);
    expect(over.errors[0]!.message).toMatch(/65 BPF file rules.*at most 64/);
  });

  it('exec rules: built-in rules come first', () => {
    const over = compilePolicy(
      enhancePolicy(`      privileged: true\n      attackProtectionRules:\n      - rules: [disable-shell]\n${raw(`        processes:\n${files(62, '[exec]')}`)}`),
    );
    expect(over.errors.map((e) => [e.code, e.pointer])).toEqual([['bpf-rule-limit', '/spec/policy/enhanceProtect/bpfRawRules/processes/61']]);
  });

  it('network rules: Services resolved into more addresses than fit', () => {
    const resolver = {
      services: () => ({ destinations: Array.from({ length: 70 }, (_, i) => ({ ip: `10.0.0.${i + 1}` })) }),
      pods: () => ({ addresses: [] }),
    };
    const over = compilePolicy(
      enhancePolicy(raw('        network:\n          egress:\n            toServices:\n            - {qualifiers: [deny], namespace: default, name: web}\n')),
      { diskDevices: [], resolver },
    );
    expect(over.errors.map((e) => [e.code, e.pointer])).toEqual([['bpf-rule-limit', '/spec/policy/enhanceProtect/bpfRawRules/network/egress/toServices/0']]);
  });

  it('network rules: endpoints with many ports are split by sixteen', () => {
    const resolver = {
      services: () => ({ destinations: [{ ip: '10.0.0.1', ports: Array.from({ length: 20 }, (_, i) => ({ port: 8000 + i })) }] }),
      pods: () => ({ addresses: ['10.1.0.1', 'fd00::1'] }),
    };
    const { artifact, errors } = compilePolicy(
      enhancePolicy(
        raw(
          '        network:\n          egress:\n            toServices:\n            - {qualifiers: [audit], serviceSelector: {matchLabels: {app: web}}}\n' +
            '            toPods:\n            - {qualifiers: [deny], podSelector: {matchLabels: {app: db}}, ports: [{port: 5432}]}\n',
        ),
      ),
      { diskDevices: [], resolver },
    );
    expect(errors).toEqual([]);
    const networks = JSON.parse(artifact!.files[0]!.content).networks;
    expect(networks.map((n: { mode: number; flags: number; address: { ports?: number[]; ip: string } }) => [n.mode, n.flags, n.address.ip, n.address.ports?.length])).toEqual([
      [2, 0x841, '10.0.0.1', 16],
      [2, 0x841, '10.0.0.1', 4],
      [1, 0x141, '10.1.0.1', undefined],
      [1, 0x181, 'fd00::1', undefined],
    ]);
  });

  it('mount rules: one per disk device of the node', () => {
    const devices = Array.from({ length: 66 }, (_, i) => `sd${i}`);
    const over = compilePolicy(enhancePolicy('      privileged: true\n      hardeningRules: [disallow-mount-disk-device]\n'), { diskDevices: devices });
    expect(over.errors.map((e) => [e.code, e.pointer])).toEqual([['bpf-rule-limit', '/spec/policy/enhanceProtect/hardeningRules/0']]);
    expect(compilePolicy(enhancePolicy('      privileged: true\n      hardeningRules: [disallow-mount-disk-device]\n'), { diskDevices: devices.slice(0, 64) }).errors).toEqual([]);
  });
});

describe('what the tables cannot hold is an error at the rule', () => {
  function compileWithPack(fragment: BpfFragment) {
    const pack = defineRulePack({ name: 'test-pack', version: '1.0.0' }, [
      defineRule({ id: 'custom-rule', section: 'hardening', category: 'test', description: 'test rule', enforcers: ['BPF'] }, { bpf: fragment }),
    ]);
    const outcome = bpfTester({ diskDevices: [] }, [pack]).outcome({ yaml: enhancePolicy('      hardeningRules: [custom-rule]\n'), file: 'p.yaml', enforcers: ['BPF'] });
    return errorsOf(outcome).map((e) => ({ code: e.code, pointer: e.pointer, message: e.message }));
  }
  const at = '/spec/policy/enhanceProtect/hardeningRules/0';

  it.each([
    ['a 64-byte exact path', { files: [{ pattern: `/${'x'.repeat(63)}`, permissions: ['read'] }] }, /at most 63/],
    ['a 64-byte suffix', { processes: [{ pattern: `/**${'x'.repeat(64)}` }] }, /after the wildcard is 64 bytes/],
    ['a 64-byte prefix', { files: [{ pattern: `/${'x'.repeat(63)}/**`, permissions: ['write'] }] }, /before the wildcard is 65 bytes/],
    ['two wildcards', { files: [{ pattern: '/a/**/b/**', permissions: ['write'] }] }, /\*\* 2 times/],
    ['an unknown capability', { capabilities: ['sys_wizard'] }, /unknown capability "sys_wizard"/],
    ['an unknown mount flag', { mounts: [{ sourcePattern: '**', fstype: '*', flags: ['sideways'] }] }, /unknown mount flag "sideways"/],
    ['a long fstype', { mounts: [{ sourcePattern: '**', fstype: 'averyveryverylongfs', flags: ['bind'] }] }, /fstype "averyveryverylongfs" must be 1 to 15 bytes/],
    ['an unknown socket domain', { sockets: [{ domains: ['carrier-pigeon'] }] }, /unknown socket domain "carrier-pigeon"/],
    ['types with protocols', { sockets: [{ types: ['stream'], protocols: ['tcp'] }] }, /mutually exclusive/],
    ['a bad address', { egress: [{ ip: '300.1.1.1' }] }, /not an IPv4 or IPv6 address/],
    ['a bad port range', { egress: [{ ip: '10.0.0.1', ports: [{ port: 90, endPort: 80 }] }] }, /invalid port 90 or endPort 80/],
  ])('%s', (_name, fragment, message) => {
    const errors = compileWithPack(fragment as BpfFragment);
    expect(errors).toEqual([{ code: 'bpf-invalid-rule', pointer: at, message: expect.stringMatching(message) }]);
  });

  it('raw patterns are checked by the policy schema before compile', () => {
    const { errors } = compilePolicy(enhancePolicy(raw(`        files:\n        - {qualifiers: [deny], pattern: "/${'x'.repeat(70)}", permissions: [read]}\n`)));
    expect(errors[0]).toMatchObject({ pointer: '/spec/policy/enhanceProtect/bpfRawRules/files/0/pattern' });
  });
});

describe('Kubernetes objects need a resolver', () => {
  it('toServices and toPods name the field', () => {
    const { errors } = compilePolicy(
      enhancePolicy(
        raw(
          '        network:\n          egress:\n            toServices:\n            - {qualifiers: [deny], namespace: kube-system, name: dns}\n' +
            '            toPods:\n            - {qualifiers: [deny], podSelector: {matchLabels: {app: db}}}\n',
        ),
      ),
    );
    expect(errors.map((e) => [e.code, e.pointer])).toEqual([
      ['bpf-resolver-missing', '/spec/policy/enhanceProtect/bpfRawRules/network/egress/toServices/0'],
      ['bpf-resolver-missing', '/spec/policy/enhanceProtect/bpfRawRules/network/egress/toPods/0'],
    ]);
    expect(errors[0]!.message).toMatch(/^toServices .*resolver/);
  });

  it('a resolver failure is reported at the rule', () => {
    const resolver = { services: () => ({ error: 'no such Service' }), pods: () => ({ error: 'no informer for pods' }) };
    const { errors } = compilePolicy(enhancePolicy('      attackProtectionRules:\n      - rules: [block-access-to-kube-apiserver]\n'), { diskDevices: [], resolver });
    expect(errors).toEqual([
      expect.objectContaining({ code: 'bpf-resolver-failed', pointer: '/spec/policy/enhanceProtect/attackProtectionRules/0/rules/0', message: expect.stringMatching(/default\/kubernetes: no such Service/) }),
    ]);
  });
});

describe('raw mounts', () => {
  it('apply to privileged containers only, with a warning otherwise', () => {
    const mounts = raw('        mounts:\n        - {qualifiers: [deny], sourcePattern: /mnt/**, fstype: ext4, flags: [rw, nosuid, bind]}\n');
    const plain = compilePolicy(enhancePolicy(mounts));
    expect(plain.warnings.map((w) => [w.code, w.pointer])).toEqual([['bpf-mounts-not-privileged', '/spec/policy/enhanceProtect/bpfRawRules/mounts']]);
    const privileged = compilePolicy(enhancePolicy(`      privileged: true\n${mounts}`));
    expect(JSON.parse(privileged.artifact!.files[0]!.content).mounts).toEqual([
      { mode: 1, mountFlags: 0x1002, reverseMountflags: 0x1, pattern: { flags: 0x6, prefix: '/mnt/' }, fstype: 'ext4' },
    ]);
  });
});

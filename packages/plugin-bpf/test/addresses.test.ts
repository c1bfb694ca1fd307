import { describe, expect, it } from 'vitest';
import { KEY_CONNECT } from '../src/encode/layout.js';
import { evaluate } from '../src/evaluate.js';
import { compilePolicy, enhancePolicy } from './support/compile-policy.js';

/** Compiles a deny rule for one destination; returns the connect keys (hex) and the bpf.json network entries. */
function compileDestination(destination: string) {
  const text = enhancePolicy(`      bpfRawRules:\n        network:\n          egress:\n            toDestinations:\n            - {qualifiers: [deny], ${destination}}\n`);
  const compiled = compilePolicy(text);
  if (!compiled.artifact) throw new Error(JSON.stringify(compiled.errors));
  const keys = compiled.artifact.data.entries.filter((entry) => entry.key[0] === KEY_CONNECT).map((entry) => entry.key.toString('hex'));
  const content = JSON.parse(compiled.artifact.files[0]!.content) as { networks: { flags: number; address: { ip: string; cidr?: string } }[] };
  return { keys, networks: content.networks, profile: compiled.artifact.data.profile };
}

// A connect key: kind 05, table (00 exact, 01 cidr), family 04/06, slot 00, prefix length (u32 LE), the address.
const key = (table: string, family: string, length: string, address: string) => `05${table}${family}00${length}${address}`.padEnd(48, '0');

describe('addresses in the compiled BPF tables', () => {
  it('::1.2.3.4 (IPv4-compatible) is the IPv6 address ::102:304, not IPv4 1.2.3.4', () => {
    const compiled = compileDestination('ip: "::1.2.3.4"');
    expect(compiled.keys).toEqual([key('00', '06', '00000000', '00000000000000000000000001020304')]);
    expect(compiled.networks).toEqual([{ mode: 1, flags: 0x81, address: { ip: '::102:304' } }]);
  });

  it('::ffff:1.2.3.4 (v4-mapped) is the IPv4 address 1.2.3.4, as Go\'s To4 makes it', () => {
    const compiled = compileDestination('ip: "::ffff:1.2.3.4"');
    expect(compiled.keys).toEqual([key('00', '04', '00000000', '01020304')]);
    expect(compiled.networks).toEqual([{ mode: 1, flags: 0x41, address: { ip: '1.2.3.4' } }]);
  });

  it('a v4-mapped CIDR of prefix >= 96 is the IPv4 network; below 96, or IPv4-compatible, it stays IPv6', () => {
    expect(compileDestination('cidr: "::ffff:1.2.3.4/120"').keys).toEqual([key('01', '04', '18000000', '01020300')]);
    expect(compileDestination('cidr: "::ffff:1.2.3.4/95"').keys).toEqual([key('01', '06', '5f000000', '00000000000000000000fffe00000000')]);
    expect(compileDestination('cidr: "::1.2.3.4/120"').keys).toEqual([key('01', '06', '78000000', '00000000000000000000000001020300')]);
    expect(compileDestination('cidr: "::1.2.3.4/120"').networks).toEqual([{ mode: 1, flags: 0xa0, address: { ip: '::102:300', cidr: '::102:300/120' } }]);
    // dtoi reads leading zeros, as vArmor's net.ParseCIDR does.
    expect(compileDestination('cidr: "10.0.0.0/08"').keys).toEqual([key('01', '04', '08000000', '0a000000')]);
  });

  it('the evaluator agrees: a rule for ::1.2.3.4 does not stop a connect to 1.2.3.4, ::ffff:1.2.3.4 does', () => {
    const compatible = compileDestination('ip: "::1.2.3.4"').profile;
    const mapped = compileDestination('ip: "::ffff:1.2.3.4"').profile;
    const connect = (address: string) => ({ operation: 'connect' as const, address, port: 443 });
    expect(evaluate(compatible, connect('1.2.3.4')).allowed).toBe(true);
    expect(evaluate(compatible, connect('::1.2.3.4')).allowed).toBe(false);
    expect(evaluate(mapped, connect('1.2.3.4')).allowed).toBe(false);
    expect(evaluate(mapped, connect('::ffff:1.2.3.4')).allowed).toBe(false);
  });

  it('forms Go\'s ParseIP refuses are errors at the field', () => {
    for (const ip of ['::ffff:0x1.2.3.4', '::ffff:010.0.0.1', '010.0.0.1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9']) {
      const text = enhancePolicy(`      bpfRawRules:\n        network:\n          egress:\n            toDestinations:\n            - {qualifiers: [deny], ip: "${ip}"}\n`);
      const errors = compilePolicy(text).errors;
      expect(errors.map((e) => [e.code, e.pointer])).toEqual([['invalid-value', '/spec/policy/enhanceProtect/bpfRawRules/network/egress/toDestinations/0/ip']]);
    }
  });
});

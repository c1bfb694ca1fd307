import { bpfContentSchema } from '@armorkit/core/schema';
import type { BpfPlan } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { compileBpfProfile } from '../src/compile/compile-plan.js';
import { connectRules } from '../src/compile/network-rules.js';
import { parsePathPattern, varmorPatternContent } from '../src/compile/path-pattern.js';
import { groupPorts } from '../src/compile/ports.js';
import type { BpfProfile } from '../src/compile/profile.js';
import { toBpfContent } from '../src/compile/varmor-content.js';
import { enhancePolicy, compilePolicy } from './support/compile-policy.js';

const origin = { pointer: '', source: 'raw' };

/** The vArmor network entries of one destination. */
function destination(spec: Parameters<typeof connectRules>[0]) {
  const rules = connectRules(spec, 2, origin);
  if ('problem' in rules) throw new Error(rules.problem);
  const profile: BpfProfile = { profileName: 'p', profileMode: 'enforce', capabilities: [], ptrace: [], files: [], processes: [], networks: rules, mounts: [] };
  return toBpfContent(profile).content.networks!.map((entry) => ({ flags: entry.flags, address: entry.address }));
}

describe('network rule encoding (reference §3.6, vArmor bpf_test.go)', () => {
  it('flags for addresses and ports', () => {
    expect(destination({ ip: 'fdbd:dc01:ff:307:9329:268d:3a27:2ca7' })).toEqual([{ flags: 0x81, address: { ip: 'fdbd:dc01:ff:307:9329:268d:3a27:2ca7' } }]);
    expect(destination({ ip: '192.168.1.1', ports: [{ port: 80 }] })).toEqual([{ flags: 0x141, address: { ip: '192.168.1.1', port: 80 } }]);
    expect(destination({ ports: [{ port: 80 }] })).toEqual([{ flags: 0x1c0, address: { port: 80 } }]);
    expect(destination({ ports: [{ port: 80, endPort: 8080 }] })).toEqual([{ flags: 0x4c0, address: { port: 80, endPort: 8080 } }]);
    expect(destination({ ports: [{ port: 80 }, { port: 81 }, { port: 82 }] })).toEqual([{ flags: 0x8c0, address: { ports: [80, 81, 82] } }]);
    expect(destination({ ip: 'unspecified', ports: [{ port: 1 }, { port: 2 }, { port: 3 }] })).toEqual([
      { flags: 0x8c1, address: { ip: 'unspecified', ports: [1, 2, 3] } },
    ]);
    expect(destination({ ip: 'pod-self', ports: [{ port: 80 }] })).toEqual([{ flags: 0x11c0, address: { ip: 'pod-self', port: 80 } }]);
  });

  it('canonical CIDRs, ranges first, then single ports by sixteen', () => {
    expect(destination({ cidr: '192.168.1.1/24', ports: [{ port: 1 }, { port: 2 }, { port: 100, endPort: 110 }, { port: 3 }] })).toEqual([
      { flags: 0x460, address: { ip: '192.168.1.0', cidr: '192.168.1.0/24', port: 100, endPort: 110 } },
      { flags: 0x860, address: { ip: '192.168.1.0', cidr: '192.168.1.0/24', ports: [1, 2, 3] } },
    ]);
    const eighteen = Array.from({ length: 18 }, (_, i) => ({ port: i + 1 }));
    expect(destination({ ports: eighteen })).toEqual([
      { flags: 0x8c0, address: { ports: Array.from({ length: 16 }, (_, i) => i + 1) } },
      { flags: 0x8c0, address: { ports: [17, 18] } },
    ]);
    // Seventeen ports: sixteen, then one on its own (a single-port rule).
    expect(destination({ ports: Array.from({ length: 17 }, (_, i) => ({ port: i + 1 })) })[1]).toEqual({ flags: 0x1c0, address: { port: 17 } });
  });

  it('regroups ports like vArmor: duplicates dropped, endPort equal to port is a single port', () => {
    expect(groupPorts([{ port: 80 }, { port: 80, endPort: 80 }, { port: 443 }])).toEqual({ groups: [{ kind: 'list', ports: [80, 443] }] });
    expect(groupPorts([])).toEqual({ groups: [{ kind: 'any' }] });
    expect(groupPorts([{ port: 90, endPort: 80 }])).toHaveProperty('problem');
    expect(groupPorts([{ port: 0 }])).toHaveProperty('problem');
  });

  it('localhost is the IPv4 loopback network and ::1; v4-mapped IPv6 is IPv4', () => {
    expect(destination({ ip: 'localhost' })).toEqual([
      { flags: 0x60, address: { ip: '127.0.0.0', cidr: '127.0.0.0/8' } },
      { flags: 0x81, address: { ip: '::1' } },
    ]);
    expect(destination({ ip: '::ffff:169.254.169.254' })).toEqual([{ flags: 0x41, address: { ip: '169.254.169.254' } }]);
    expect(destination({ cidr: '::ffff:10.0.0.0/104' })).toEqual([{ flags: 0x60, address: { ip: '10.0.0.0', cidr: '10.0.0.0/8' } }]);
    expect(destination({ cidr: '2001:db8::1/32' })).toEqual([{ flags: 0xa0, address: { ip: '2001:db8::', cidr: '2001:db8::/32' } }]);
  });
});

describe('path pattern encoding (reference §3.4)', () => {
  const content = (text: string) => {
    const parsed = parsePathPattern(text);
    if ('problem' in parsed) throw new Error(parsed.problem);
    return varmorPatternContent(parsed.pattern);
  };
  it('flags, prefix and reversed suffix', () => {
    expect(content('/etc/passwd')).toEqual({ flags: 0x5, prefix: '/etc/passwd' });
    expect(content('*.log')).toEqual({ flags: 0x8, suffix: 'gol.' });
    expect(content('**ping')).toEqual({ flags: 0xa, suffix: 'gnip' });
    expect(content('/**/sh')).toEqual({ flags: 0xe, prefix: '/', suffix: 'hs/' });
    expect(content('/etc/**')).toEqual({ flags: 0x6, prefix: '/etc/' });
    expect(content('**')).toEqual({ flags: 0x2 });
    expect(content('passwd*')).toEqual({ flags: 0x4, prefix: 'passwd' });
  });
  it('refuses what the tables cannot hold', () => {
    expect(parsePathPattern(`/${'a'.repeat(63)}`)).toHaveProperty('problem');
    expect(parsePathPattern(`/${'a'.repeat(62)}`)).toHaveProperty('pattern');
    expect(parsePathPattern('/a/*/b')).toHaveProperty('problem');
    expect(parsePathPattern('/a/**/b/**')).toHaveProperty('problem');
    expect(parsePathPattern('*a*')).toHaveProperty('problem');
  });
  it('refuses what can never match a path (relative, NUL, . and .. and empty components); a mount source may be a name', () => {
    for (const text of ['etc/passwd', '/a/../x', '/a/./x', '/a//x', '/a/', '/a\0b']) expect(parsePathPattern(text)).toHaveProperty('problem');
    expect(parsePathPattern('proc')).toHaveProperty('problem');
    expect(parsePathPattern('proc', 'mount-source')).toHaveProperty('pattern');
    expect(parsePathPattern('dev/sda', 'mount-source')).toHaveProperty('problem');
  });
});

describe('the BpfContent file', () => {
  it('is valid against vArmor BpfContent and uses decimal strings past 2^53', () => {
    const { artifact, errors } = compilePolicy(enhancePolicy('      attackProtectionRules:\n      - rules: [disable-icmp, disable-network]\n'));
    expect(errors).toEqual([]);
    const content = JSON.parse(artifact!.files[0]!.content);
    expect(bpfContentSchema.safeParse(content).success).toBe(true);
    expect(artifact!.files[0]!.suffix).toBe('bpf.json');
    const sockets = content.networks.map((n: { socket: unknown }) => n.socket);
    expect(sockets).toEqual([{ protocols: ((1n << 1n) | (1n << 58n)).toString() }, { domains: 0x3fffffffffff }]);
  });

  it('is byte-identical for the same plan', () => {
    const plan: BpfPlan = {
      enforcer: 'BPF',
      profileName: 'p',
      mode: 'RuntimeDefault',
      profileMode: 'enforce',
      build: { kind: 'RuntimeDefault' },
      action: 'deny',
      privileged: false,
      rules: [],
      skipped: [],
    };
    expect(JSON.stringify(compileBpfProfile(plan), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(
      JSON.stringify(compileBpfProfile(plan), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    );
  });
});

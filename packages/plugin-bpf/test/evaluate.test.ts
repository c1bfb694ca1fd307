import { describe, expect, it } from 'vitest';
import { MS_BIND, MS_NOSUID, MS_RDONLY, MS_REC, MS_REMOUNT } from '../src/compile/mount-flags.js';
import { MAY_APPEND, MAY_READ, MAY_WRITE } from '../src/compile/permissions.js';
import { evaluate, openPermissions } from '../src/evaluate.js';
import { profileOf } from './support/profiles.js';

const deny = { allowed: false };
const denied = { allowed: false, event: 'DENIED' };
const audited = { allowed: true, event: 'AUDIT' };
const allowed = { allowed: true };
const privileged = '      privileged: true\n';

describe('files', () => {
  const profile = profileOf(
    `${privileged}      attackProtectionRules:\n      - rules: [disable-access-passwd, disable-write-etc]\n      bpfRawRules:\n        files:\n` +
      '        - {qualifiers: [audit], pattern: "*.log", permissions: [append]}\n' +
      '        - {qualifiers: [audit, deny], pattern: "/srv/**/secret", permissions: [read]}\n',
  );
  it('exact paths are exact (vArmor Q1: /etc/passwd matched /etc/passwd.bak)', () => {
    expect(evaluate(profile, { operation: 'file', path: '/etc/passwd', permissions: MAY_READ })).toEqual(deny);
    expect(evaluate(profile, { operation: 'file', path: '/etc/passwd.bak', permissions: MAY_READ })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'file', path: '/etc/passwd/x', permissions: MAY_READ })).toEqual(allowed);
  });
  it('permissions: write implies append; read rules leave writes alone', () => {
    expect(evaluate(profile, { operation: 'file', path: '/etc/hosts', permissions: MAY_WRITE })).toEqual(deny);
    expect(evaluate(profile, { operation: 'file', path: '/etc/hosts', permissions: MAY_APPEND })).toEqual(deny);
    expect(evaluate(profile, { operation: 'file', path: '/etc/hosts', permissions: MAY_READ })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'file', path: '/srv/a/secret', permissions: MAY_WRITE })).toEqual(allowed);
  });
  it('audit-only rules report and let through; audit+deny report DENIED', () => {
    expect(evaluate(profile, { operation: 'file', path: '/var/log/app.log', permissions: MAY_APPEND })).toEqual(audited);
    expect(evaluate(profile, { operation: 'file', path: '/var/log/app.log', permissions: MAY_WRITE })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'file', path: '/srv/x/y/secret', permissions: MAY_READ })).toEqual(denied);
  });
  it('** does not let its prefix and suffix overlap; * stays within the file name', () => {
    expect(evaluate(profile, { operation: 'file', path: '/srv/secret', permissions: MAY_READ })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'file', path: '/srv//secret', permissions: MAY_READ })).toEqual(denied);
    expect(evaluate(profile, { operation: 'file', path: '/logs.d/app', permissions: MAY_APPEND })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'file', path: '/.log', permissions: MAY_APPEND })).toEqual(audited);
  });
});

describe('exec', () => {
  const profile = profileOf(`${privileged}      attackProtectionRules:\n      - rules: [disable-curl, disable-shell]\n`);
  it('matches the resolved executable (vArmor Q2: ./curl escaped /**/curl)', () => {
    expect(evaluate(profile, { operation: 'exec', path: '/usr/bin/curl', invokedAs: './curl' })).toEqual(deny);
    expect(evaluate(profile, { operation: 'exec', path: '/tmp/x/curl', invokedAs: 'curl' })).toEqual(deny);
  });
  it('and also the absolute name it was invoked by (a busybox applet link /bin/sh)', () => {
    expect(evaluate(profile, { operation: 'exec', path: '/bin/busybox', invokedAs: '/bin/sh' })).toEqual(deny);
    expect(evaluate(profile, { operation: 'exec', path: '/bin/busybox', invokedAs: 'sh' })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'exec', path: '/usr/bin/ls', invokedAs: '/usr/bin/ls' })).toEqual(allowed);
  });
});

describe('sockets', () => {
  const profile = profileOf(`      attackProtectionRules:\n      - rules: [disable-tcp, disable-unix-domain-socket]\n`);
  it('protocol 0 is the type default (vArmor Q6)', () => {
    expect(evaluate(profile, { operation: 'socket', domain: 2, type: 1, protocol: 0 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'socket', domain: 10, type: 1, protocol: 6 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'socket', domain: 10, type: 1, protocol: 262 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'socket', domain: 2, type: 2, protocol: 0 })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'socket', domain: 2, type: 3, protocol: 6 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'socket', domain: 1, type: 1, protocol: 0 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'socket', domain: 16, type: 3, protocol: 0 })).toEqual(allowed);
  });
  it('types', () => {
    const types = profileOf(`      bpfRawRules:\n        network:\n          sockets:\n          - {qualifiers: [audit], domains: [inet6], types: [dgram, raw]}\n`);
    expect(evaluate(types, { operation: 'socket', domain: 10, type: 2, protocol: 0 })).toEqual(audited);
    expect(evaluate(types, { operation: 'socket', domain: 10, type: 1, protocol: 0 })).toEqual(allowed);
    expect(evaluate(types, { operation: 'socket', domain: 2, type: 2, protocol: 0 })).toEqual(allowed);
  });
});

describe('connect', () => {
  const profile = profileOf(
    '      attackProtectionRules:\n      - rules: [block-access-to-metadata-service]\n      bpfRawRules:\n        network:\n          egress:\n            toDestinations:\n' +
      '            - {qualifiers: [deny], cidr: 10.20.0.0/16, ports: [{port: 8000, endPort: 8100}]}\n' +
      '            - {qualifiers: [deny], ip: localhost, ports: [{port: 6443}]}\n' +
      '            - {qualifiers: [audit], ip: pod-self, ports: [{port: 9090}, {port: 9091}]}\n' +
      '            - {qualifiers: [deny], ip: unspecified}\n',
  );
  const connect = (address: string, port: number) => evaluate(profile, { operation: 'connect', address, port }, { podAddresses: ['10.1.2.3'] });
  it('exact addresses on every port, v4-mapped IPv6 included', () => {
    expect(connect('169.254.169.254', 80)).toEqual(deny);
    expect(connect('::ffff:169.254.169.254', 80)).toEqual(deny);
    expect(connect('fd00:ec2::254', 443)).toEqual(deny);
    expect(connect('169.254.169.253', 80)).toEqual(allowed);
  });
  it('CIDRs with port ranges', () => {
    expect(connect('10.20.255.1', 8000)).toEqual(deny);
    expect(connect('10.20.0.1', 8100)).toEqual(deny);
    expect(connect('10.20.0.1', 8101)).toEqual(allowed);
    expect(connect('10.21.0.1', 8050)).toEqual(allowed);
  });
  it('localhost is all of 127/8 and ::1; unspecified is 0.0.0.0 and ::', () => {
    expect(connect('127.0.0.1', 6443)).toEqual(deny);
    expect(connect('127.0.0.2', 6443)).toEqual(deny);
    expect(connect('::1', 6443)).toEqual(deny);
    expect(connect('127.0.0.1', 6444)).toEqual(allowed);
    expect(connect('0.0.0.0', 1)).toEqual(deny);
    expect(connect('::', 1)).toEqual(deny);
  });
  it('pod-self', () => {
    expect(connect('10.1.2.3', 9091)).toEqual(audited);
    expect(connect('10.1.2.4', 9091)).toEqual(allowed);
  });
});

describe('ptrace, mounts, capabilities', () => {
  it('ptrace: non-strict rules only across containers; the host may always look in', () => {
    const profile = profileOf('      hardeningRules: [disallow-access-procfs-root]\n');
    expect(evaluate(profile, { operation: 'ptrace', permission: 'read', peer: 'other' })).toEqual(deny);
    expect(evaluate(profile, { operation: 'ptrace', permission: 'trace', peer: 'other' })).toEqual(deny);
    expect(evaluate(profile, { operation: 'ptrace', permission: 'read', peer: 'same' })).toEqual(allowed);
    const strict = profileOf(`${privileged}      bpfRawRules:\n        ptrace: {qualifiers: [audit, deny], strictMode: true, permissions: [trace, readby]}\n`);
    expect(evaluate(strict, { operation: 'ptrace', permission: 'trace', peer: 'same' })).toEqual(denied);
    expect(evaluate(strict, { operation: 'ptrace', permission: 'readby', peer: 'other' })).toEqual(denied);
    expect(evaluate(strict, { operation: 'ptrace', permission: 'readby', peer: 'host' })).toEqual(allowed);
    expect(evaluate(strict, { operation: 'ptrace', permission: 'read', peer: 'other' })).toEqual(allowed);
  });
  it('ptrace modes stay per permission (vArmor Q4: the last rule set the mode of all)', () => {
    const profile = profileOf('      hardeningRules: [disallow-access-procfs-root]\n      bpfRawRules:\n        ptrace: {qualifiers: [audit], permissions: [traceby]}\n');
    expect(evaluate(profile, { operation: 'ptrace', permission: 'read', peer: 'other' })).toEqual(deny);
    expect(evaluate(profile, { operation: 'ptrace', permission: 'traceby', peer: 'other' })).toEqual(audited);
  });
  it('mounts: base profile denies every new mount, bind and remount but not umount', () => {
    const profile = profileOf('      hardeningRules: [disallow-umount]\n');
    expect(evaluate(profile, { operation: 'mount', source: 'none', fstype: 'tmpfs', flags: 0 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'mount', source: '/a', fstype: '', flags: MS_BIND })).toEqual(deny);
    expect(evaluate(profile, { operation: 'umount', path: '/mnt' })).toEqual(deny);
    expect(evaluate(profileOf('      privileged: false\n'), { operation: 'umount', path: '/mnt' })).toEqual(allowed);
    expect(evaluate(profileOf('      privileged: false\n'), { operation: 'move-mount', source: '/mnt' })).toEqual(deny);
  });
  it('mount flags: present and absent flags, fstype forced to none for existing mounts', () => {
    const profile = profileOf(
      `${privileged}      hardeningRules: [disallow-mount-procfs]\n      bpfRawRules:\n        mounts:\n        - {qualifiers: [deny], sourcePattern: /dev/sd**, fstype: ext4, flags: [rw]}\n`,
    );
    expect(evaluate(profile, { operation: 'mount', source: 'proc', fstype: 'proc', flags: MS_NOSUID })).toEqual(deny);
    expect(evaluate(profile, { operation: 'mount', source: '/proc', fstype: '', flags: MS_BIND | MS_REC })).toEqual(deny);
    expect(evaluate(profile, { operation: 'mount', source: '/proc', fstype: 'proc', flags: MS_REMOUNT })).toEqual(deny);
    expect(evaluate(profile, { operation: 'mount', source: '/srv', fstype: '', flags: MS_BIND })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'mount', source: '/dev/sdb1', fstype: 'ext4', flags: 0 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'mount', source: '/dev/sdb1', fstype: 'ext4', flags: MS_RDONLY })).toEqual(allowed);
    expect(evaluate(profile, { operation: 'umount', path: '/proc/sys' })).toEqual(deny);
  });
  it('capabilities', () => {
    const profile = profileOf('      hardeningRules: [disable-cap-chown, disallow-insmod]\n');
    expect(evaluate(profile, { operation: 'capability', capability: 0 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'capability', capability: 16 })).toEqual(deny);
    expect(evaluate(profile, { operation: 'capability', capability: 21 })).toEqual(allowed);
  });
});

describe('open(2) requests', () => {
  it('ask for what file_open computes from the open flags', () => {
    expect(openPermissions({ read: true })).toBe(MAY_READ);
    expect(openPermissions({ write: true })).toBe(MAY_WRITE);
    expect(openPermissions({ write: true, append: true })).toBe(MAY_APPEND);
    expect(openPermissions({ read: true, write: true, append: true })).toBe(MAY_READ | MAY_APPEND);
    expect(openPermissions({ read: true, truncate: true })).toBe(MAY_READ | MAY_WRITE);
    expect(openPermissions({ write: true, append: true, created: true })).toBe(MAY_APPEND | MAY_WRITE);
  });
});

describe('complain mode', () => {
  it('lets everything through and reports it', () => {
    const profile = { ...profileOf('      hardeningRules: [disable-cap-all]\n'), profileMode: 'complain' as const };
    expect(evaluate(profile, { operation: 'capability', capability: 0 })).toEqual({ allowed: true, event: 'ALLOWED' });
  });
});

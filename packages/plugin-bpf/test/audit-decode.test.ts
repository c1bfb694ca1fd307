import { describe, expect, it } from 'vitest';
import { violationFromRecord } from '../src/audit/decode-event.js';
import { EVENT_FIXED_SIZE, parseEventRecord } from '../src/audit/event-record.js';

/** A record as bpf/armorkit.bpf.c writes it (struct event_head, then the path). */
function record(fields: { action: number; type: number; a?: number; b?: number; c?: number; d?: number; address?: number[]; fstype?: string; path?: string }): Buffer {
  const path = Buffer.from(fields.path ?? '');
  const bytes = Buffer.alloc(EVENT_FIXED_SIZE + (fields.path === undefined ? 0 : path.length + 1));
  bytes.writeUInt32LE(fields.action, 0);
  bytes.writeUInt32LE(fields.type, 4);
  bytes.writeUInt32LE(4026532175, 8);
  bytes.writeUInt32LE(321, 12);
  bytes.writeUInt32LE(322, 16);
  bytes.writeUInt32LE(0, 20);
  bytes.writeBigUInt64LE(5_500_000_000n, 24);
  bytes.write('cat', 32);
  bytes.writeUInt32LE(fields.a ?? 0, 48);
  bytes.writeUInt32LE(fields.b ?? 0, 52);
  bytes.writeUInt32LE(fields.c ?? 0, 56);
  bytes.writeUInt32LE(fields.d ?? 0, 60);
  Buffer.from(fields.address ?? []).copy(bytes, 64);
  bytes.write(fields.fstype ?? '', 80);
  bytes.writeUInt32LE(path.length, 96);
  path.copy(bytes, EVENT_FIXED_SIZE);
  return bytes;
}

const decode = (bytes: Buffer) => {
  const parsed = parseEventRecord(bytes);
  if (!parsed) throw new Error('not a record');
  return violationFromRecord(parsed, { bootTime: 1_700_000_000, profileName: () => 'varmor-demo-demo-2', nodeName: 'node-1' });
};

describe('ring-buffer records become ViolationEvents (reference §3.11, §7.3)', () => {
  it('file', () => {
    const event = decode(record({ action: 1, type: 2, a: 0x4 | 0x2, path: '/etc/shadow' }));
    expect(event).toMatchObject({
      enforcer: 'BPF',
      action: 'DENIED',
      pid: 321,
      mntNsID: 4026532175,
      eventTimestamp: 1_700_000_005,
      profileName: 'varmor-demo-demo-2',
      nodeName: 'node-1',
      event: { operation: 'File', permissions: ['write', 'read'], path: '/etc/shadow', comm: 'cat' },
    });
  });
  it('exec, capability, ptrace', () => {
    expect(decode(record({ action: 2, type: 4, a: 1, path: '/usr/bin/curl' })).event).toEqual({ operation: 'Bprm', permissions: ['exec'], path: '/usr/bin/curl', comm: 'cat' });
    expect(decode(record({ action: 1, type: 1, a: 21 }))).toMatchObject({ action: 'DENIED', event: { operation: 'Capability', capability: 'sys_admin' } });
    expect(decode(record({ action: 2, type: 1, a: 63 })).event.capability).toBe('unknown');
    expect(decode(record({ action: 4, type: 0x10, a: 0x4, b: 1 }))).toMatchObject({ action: 'ALLOWED', event: { operation: 'Ptrace', permission: 'read', external: true } });
  });
  it('network', () => {
    expect(decode(record({ action: 1, type: 8, a: 2, b: 2, c: 1, d: 0 })).event).toEqual({
      operation: 'Network',
      type: 'socket',
      socket: { domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_IP' },
      comm: 'cat',
    });
    expect(decode(record({ action: 1, type: 8, a: 1, b: 2, c: 443, address: [169, 254, 169, 254] })).event).toEqual({
      operation: 'Network',
      type: 'connect',
      address: { ip: '169.254.169.254', port: 443 },
      comm: 'cat',
    });
    const v6 = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(decode(record({ action: 2, type: 8, a: 1, b: 10, c: 80, address: v6 })).event.address).toEqual({ ip: 'fd00::1', port: 80 });
  });
  it('mount', () => {
    expect(decode(record({ action: 1, type: 0x20, a: 0x1000 | 0x4000, fstype: 'none', path: '/proc' })).event).toEqual({
      operation: 'Mount',
      path: '/proc',
      type: 'none',
      flags: ['rbind'],
      comm: 'cat',
    });
  });
  it('short records are not events', () => {
    expect(parseEventRecord(Buffer.alloc(20))).toBeUndefined();
  });
});

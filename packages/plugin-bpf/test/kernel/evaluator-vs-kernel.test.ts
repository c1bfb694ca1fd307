import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BpfProfile } from '../../src/compile/profile.js';
import { type BpfRequest, evaluate, openPermissions } from '../../src/evaluate.js';
import { applyTo, closeKernelEnforcer, compileBpf, enhancePolicy, eventsOf, kernelEnforcer } from './support/lab.js';
import { Task } from './support/probe.js';

// The reference evaluator and the programs on the same profile and the same operations: same decision, same event.

const dir = '/tmp/armorkit-bpf-eval';
const POLICY = enhancePolicy(
  '      hardeningRules: [disable-cap-chown, disallow-umount, disallow-access-procfs-root]\n' +
    '      bpfRawRules:\n' +
    '        files:\n' +
    `        - {qualifiers: [audit, deny], pattern: ${dir}/exact, permissions: [read]}\n` +
    `        - {qualifiers: [audit], pattern: "${dir}/logs/**", permissions: [write]}\n` +
    '        - {qualifiers: [deny], pattern: "*.secret", permissions: [read, write]}\n' +
    '        - {qualifiers: [audit, deny], pattern: "**.key", permissions: [read]}\n' +
    '        - {qualifiers: [deny], pattern: "conf*", permissions: [append]}\n' +
    `        - {qualifiers: [audit, deny], pattern: "${dir}/x/**/y", permissions: [read]}\n` +
    '        processes:\n' +
    '        - {qualifiers: [audit, deny], pattern: "/**/forbidden-bin", permissions: [exec]}\n' +
    '        network:\n' +
    '          sockets:\n' +
    '          - {qualifiers: [audit], domains: [inet6], types: [dgram]}\n' +
    '          - {qualifiers: [deny], protocols: [icmp]}\n' +
    '          egress:\n' +
    '            toDestinations:\n' +
    '            - {qualifiers: [audit, deny], cidr: 127.8.0.0/16, ports: [{port: 100, endPort: 200}]}\n' +
    '            - {qualifiers: [audit], ip: "::1", ports: [{port: 7}, {port: 9}]}\n' +
    '            - {qualifiers: [deny], ip: localhost, ports: [{port: 1234}]}\n',
  'evaluator',
);

/** A probe operation and the requests the programs see for it, in order (a connect first creates its socket). */
type Case = [string, BpfRequest | BpfRequest[]];

const open = (path: string, mode: 'r' | 'w' | 'a' | 'rw'): Case => [
  `open ${path} ${mode}`,
  {
    operation: 'file',
    path,
    permissions: openPermissions({ read: mode === 'r' || mode === 'rw', write: mode !== 'r', append: mode === 'a' }),
  },
];
const connect = (address: string, port: number): Case => [
  `connect ${address} ${port}`,
  [
    { operation: 'socket', domain: address.includes(':') ? 10 : 2, type: 2, protocol: 0 },
    { operation: 'connect', address, port },
  ],
];

/** What evaluate() says of a sequence of requests: allowed if each is, the events of those that ran. */
function evaluateAll(profile: BpfProfile, requests: BpfRequest[]): { allowed: boolean; events: string[] } {
  const events: string[] = [];
  for (const request of requests) {
    const decision = evaluate(profile, request);
    if (decision.event) events.push(decision.event);
    if (!decision.allowed) return { allowed: false, events };
  }
  return { allowed: true, events };
}

let lab: Awaited<ReturnType<typeof kernelEnforcer>>;
let task: Task;
let outsider: Task;
let profile: BpfProfile;

beforeAll(async () => {
  lab = await kernelEnforcer();
  for (const sub of ['logs', 'dir', 'x/a', 'x']) mkdirSync(`${dir}/${sub}`, { recursive: true });
  for (const file of ['exact', 'exact.bak', 'logs/a.log', 'dir/top.secret', 'dir/top.secrets', 'private.key', 'dir/private.key', 'config.txt', 'x/y', 'x/a/y', 'owned']) {
    writeFileSync(`${dir}/${file}`, 'x\n');
  }
  copyFileSync('/usr/bin/true', `${dir}/forbidden-bin`);
  mkdirSync(`${dir}/m`, { recursive: true });
  outsider = await Task.start({ container: false });
  task = await Task.start({ container: true });
  const artifact = compileBpf(POLICY);
  profile = artifact.data.profile;
  applyTo(lab.enforcer, task.namespace, artifact);
});
afterAll(async () => {
  await task?.stop();
  await outsider?.stop();
  lab.enforcer.removeProfile(task.namespace);
  closeKernelEnforcer();
});

describe('evaluate() decides as the kernel does', () => {
  const cases = (): Case[] => [
    open(`${dir}/exact`, 'r'),
    open(`${dir}/exact`, 'w'),
    open(`${dir}/exact.bak`, 'r'),
    open(`${dir}/logs/a.log`, 'w'),
    open(`${dir}/logs/a.log`, 'a'),
    open(`${dir}/logs/a.log`, 'r'),
    open(`${dir}/dir/top.secret`, 'r'),
    open(`${dir}/dir/top.secret`, 'rw'),
    open(`${dir}/dir/top.secrets`, 'r'),
    open(`${dir}/private.key`, 'r'),
    open(`${dir}/dir/private.key`, 'r'),
    open(`${dir}/dir/private.key`, 'w'),
    open(`${dir}/config.txt`, 'a'),
    open(`${dir}/config.txt`, 'w'),
    open(`${dir}/x/y`, 'r'),
    open(`${dir}/x/a/y`, 'r'),
    open('/proc/kcore', 'r'),
    [`exec ${dir}/forbidden-bin`, { operation: 'exec', path: `${dir}/forbidden-bin`, invokedAs: `${dir}/forbidden-bin` }],
    ['exec /usr/bin/true', { operation: 'exec', path: '/usr/bin/true', invokedAs: '/usr/bin/true' }],
    ['socket 10 2 0', { operation: 'socket', domain: 10, type: 2, protocol: 0 }],
    ['socket 10 1 0', { operation: 'socket', domain: 10, type: 1, protocol: 0 }],
    ['socket 2 3 1', { operation: 'socket', domain: 2, type: 3, protocol: 1 }],
    ['socket 2 2 0', { operation: 'socket', domain: 2, type: 2, protocol: 0 }],
    connect('127.8.1.1', 150),
    connect('127.8.1.1', 99),
    connect('::1', 9),
    connect('::1', 8),
    connect('127.0.0.2', 1234),
    [`mount none ${dir}/m tmpfs -`, { operation: 'mount', source: 'none', fstype: 'tmpfs', flags: 0 }],
    ['umount /proc', { operation: 'umount', path: '/proc' }],
    [`chown ${dir}/owned 1000`, { operation: 'capability', capability: 0 }],
    [`readlink /proc/${outsider.pid}/cwd`, { operation: 'ptrace', permission: 'read', peer: 'other' }],
  ];

  it('on every case', async () => {
    const rows: { operation: string; kernel: { allowed: boolean; events: string[] }; evaluator: unknown }[] = [];
    for (const [operation, requests] of cases()) {
      const answer = await task.run(operation);
      const kernel = { allowed: answer === 'ok', events: eventsOf(lab.reader, task.namespace).map((event) => event.action) };
      if (answer !== 'ok') expect(['errno 1', 'errno 13'], operation).toContain(answer);
      rows.push({ operation, kernel, evaluator: evaluateAll(profile, Array.isArray(requests) ? requests : [requests]) });
    }
    expect(rows.map((row) => ({ operation: row.operation, decision: row.kernel }))).toEqual(
      rows.map((row) => ({ operation: row.operation, decision: row.evaluator })),
    );
    // Both allowed and refused cases, with and without events, are in the table.
    const decisions = new Set(rows.map((row) => JSON.stringify(row.kernel)));
    for (const expected of [{ allowed: true, events: [] }, { allowed: false, events: [] }, { allowed: false, events: ['DENIED'] }, { allowed: true, events: ['AUDIT'] }]) {
      expect(decisions).toContain(JSON.stringify(expected));
    }
  });
});

import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EACCES, EPERM, applyTo, closeKernelEnforcer, compileBpf, enhancePolicy, eventsOf, kernelEnforcer } from './support/lab.js';
import { Task } from './support/probe.js';

// For each kind of rule: a task in a confined mount namespace is refused (or only reported, for audit rules),
// the same operation from a task outside succeeds, and the ring buffer reports it as a ViolationEvent.

let lab: Awaited<ReturnType<typeof kernelEnforcer>>;
let root: string;
const tasks: Task[] = [];

beforeAll(async () => {
  lab = await kernelEnforcer();
  root = mkdtempSync('/tmp/armorkit-bpf-');
});
afterAll(async () => {
  for (const task of tasks) await task.stop();
  for (const task of tasks) lab.enforcer.removeProfile(task.namespace);
  closeKernelEnforcer();
});

/** A confined task with the policy applied, and an unconfined one outside. */
async function confinedAndOutside(enhance: string, options?: Parameters<typeof compileBpf>[1]) {
  const inside = await Task.start({ container: true });
  const outside = await Task.start({ container: false });
  tasks.push(inside, outside);
  applyTo(lab.enforcer, inside.namespace, compileBpf(enhancePolicy(enhance), options));
  return { inside, outside };
}

describe('file rules', () => {
  it('read, write and append are refused per permission; outside they succeed', async () => {
    const data = join(root, 'files');
    mkdirSync(data);
    for (const name of ['read-guarded', 'write-guarded', 'append-guarded']) writeFileSync(join(data, name), 'x\n');
    const { inside, outside } = await confinedAndOutside(
      `      bpfRawRules:\n        files:\n` +
        `        - {qualifiers: [audit, deny], pattern: ${data}/read-guarded, permissions: [read]}\n` +
        `        - {qualifiers: [audit, deny], pattern: ${data}/write-guarded, permissions: [write]}\n` +
        `        - {qualifiers: [audit, deny], pattern: ${data}/append-guarded, permissions: [append]}\n`,
    );
    expect(await inside.run(`open ${data}/read-guarded r`)).toBe(EPERM);
    expect(await inside.run(`open ${data}/read-guarded w`)).toBe('ok');
    expect(await inside.run(`open ${data}/write-guarded w`)).toBe(EPERM);
    expect(await inside.run(`open ${data}/write-guarded a`)).toBe(EPERM);
    expect(await inside.run(`open ${data}/write-guarded r`)).toBe('ok');
    expect(await inside.run(`open ${data}/append-guarded a`)).toBe(EPERM);
    expect(await inside.run(`open ${data}/append-guarded w`)).toBe('ok');
    for (const operation of [`open ${data}/read-guarded r`, `open ${data}/write-guarded w`, `open ${data}/append-guarded a`]) {
      expect(await outside.run(operation)).toBe('ok');
    }
    const events = eventsOf(lab.reader, inside.namespace);
    expect(events.map((e) => [e.action, e.event.operation, e.event.path, e.event.permissions])).toEqual([
      ['DENIED', 'File', `${data}/read-guarded`, ['read']],
      ['DENIED', 'File', `${data}/write-guarded`, ['write']],
      ['DENIED', 'File', `${data}/write-guarded`, ['append']],
      ['DENIED', 'File', `${data}/append-guarded`, ['append']],
    ]);
    expect(events[0]).toMatchObject({ enforcer: 'BPF', profileName: 'varmor-lab-kernel-test', mntNsID: inside.namespace, pid: inside.pid });
  });

  it('audit-only rules report and let the operation through', async () => {
    const path = join(root, 'audited');
    writeFileSync(path, 'x\n');
    const { inside } = await confinedAndOutside(`      bpfRawRules:\n        files:\n        - {qualifiers: [audit], pattern: ${path}, permissions: [read]}\n`);
    expect(await inside.run(`open ${path} r`)).toBe('ok');
    expect(eventsOf(lab.reader, inside.namespace).map((e) => [e.action, e.event.path])).toEqual([['AUDIT', path]]);
  });

  it('creating, deleting and truncating are writes; links, renames and symlinks are checked on both names', async () => {
    const guarded = join(root, 'guarded');
    const open = join(root, 'open');
    mkdirSync(guarded);
    mkdirSync(open);
    writeFileSync(join(guarded, 'secret'), 'x\n');
    writeFileSync(join(open, 'mine'), 'x\n');
    const { inside, outside } = await confinedAndOutside(
      `      bpfRawRules:\n        files:\n        - {qualifiers: [audit, deny], pattern: "${guarded}/**", permissions: [read, write]}\n`,
    );
    expect(await inside.run(`open ${guarded}/new create`)).toBe(EPERM);
    expect(await inside.run(`open ${guarded}/secret trunc`)).toBe(EPERM);
    expect(await inside.run(`truncate ${guarded}/secret`)).toBe(EPERM);
    expect(await inside.run(`unlink ${guarded}/secret`)).toBe(EPERM);
    expect(await inside.run(`mkdir ${guarded}/directory`)).toBe(EPERM);
    expect(await inside.run(`link ${guarded}/secret ${open}/copy`)).toBe(EPERM);
    expect(await inside.run(`rename ${guarded}/secret ${open}/moved`)).toBe(EPERM);
    expect(await inside.run(`rename ${open}/mine ${guarded}/mine`)).toBe(EPERM);
    expect(await inside.run(`symlink /etc/hostname ${guarded}/link`)).toBe(EPERM);
    expect(await inside.run(`symlink ${guarded}/secret ${open}/link`)).toBe('ok');
    expect(await inside.run(`open ${open}/link r`)).toBe(EPERM);
    expect(await outside.run(`link ${guarded}/secret ${open}/copy`)).toBe('ok');
    expect(await outside.run(`open ${guarded}/new create`)).toBe('ok');
    const events = eventsOf(lab.reader, inside.namespace);
    expect(events.map((e) => e.event.path)).toEqual([
      `${guarded}/new`,
      `${guarded}/secret`,
      `${guarded}/secret`,
      `${guarded}/secret`,
      `${guarded}/directory`,
      `${guarded}/secret`,
      `${guarded}/secret`,
      `${guarded}/mine`,
      `${guarded}/link`,
      `${guarded}/secret`,
    ]);
  });
});

describe('exec rules', () => {
  it('refuse the resolved executable, whatever it is called', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin);
    copyFileSync('/usr/bin/true', join(bin, 'curl'));
    const { inside, outside } = await confinedAndOutside('      attackProtectionRules:\n      - rules: [disable-curl]\n      auditViolations: true\n');
    expect(await inside.run(`exec ${bin}/curl`)).toBe(EPERM);
    expect(await inside.run('exec /usr/bin/true')).toBe('ok');
    expect(await outside.run(`exec ${bin}/curl`)).toBe('ok');
    expect(eventsOf(lab.reader, inside.namespace).map((e) => [e.action, e.event.operation, e.event.path])).toEqual([['DENIED', 'Bprm', `${bin}/curl`]]);
  });
});

describe('socket rules', () => {
  it('by domain, type and protocol', async () => {
    const { inside, outside } = await confinedAndOutside(
      '      auditViolations: true\n      attackProtectionRules:\n      - rules: [disable-inet6, disable-udp]\n' +
        '      bpfRawRules:\n        network:\n          sockets:\n          - {qualifiers: [deny], domains: [unix], types: [seqpacket]}\n',
    );
    expect(await inside.run('socket 10 1 0')).toBe(EPERM);
    expect(await inside.run('socket 2 2 17')).toBe(EPERM);
    expect(await inside.run('socket 1 5 0')).toBe(EPERM);
    expect(await inside.run('socket 1 1 0')).toBe('ok');
    expect(await inside.run('socket 2 1 0')).toBe('ok');
    for (const operation of ['socket 10 1 0', 'socket 2 2 17', 'socket 1 5 0']) expect(await outside.run(operation)).toBe('ok');
    const events = eventsOf(lab.reader, inside.namespace);
    // auditViolations adds AUDIT to the raw rule's deny as well.
    expect(events.map((e) => e.event.socket)).toEqual([
      { domain: 'AF_INET6', type: 'SOCK_STREAM', protocol: 'IPPROTO_IP' },
      { domain: 'AF_INET', type: 'SOCK_DGRAM', protocol: 'IPPROTO_UDP' },
      { domain: 'AF_UNIX', type: 'SOCK_SEQPACKET', protocol: 'IPPROTO_IP' },
    ]);
  });
});

describe('connect rules', () => {
  it('by IP, CIDR and port range, IPv4 and IPv6', async () => {
    const { inside, outside } = await confinedAndOutside(
      '      bpfRawRules:\n        network:\n          egress:\n            toDestinations:\n' +
        '            - {qualifiers: [audit, deny], cidr: 127.16.0.0/16, ports: [{port: 8000, endPort: 8100}]}\n' +
        '            - {qualifiers: [audit, deny], ip: 127.0.0.9}\n' +
        '            - {qualifiers: [audit, deny], ip: "::1", ports: [{port: 53}, {port: 5353}]}\n',
    );
    expect(await inside.run('connect 127.16.4.5 8000')).toBe(EPERM);
    expect(await inside.run('connect 127.16.4.5 8100')).toBe(EPERM);
    expect(await inside.run('connect 127.16.4.5 8101')).toBe('ok');
    expect(await inside.run('connect 127.17.4.5 8050')).toBe('ok');
    expect(await inside.run('connect 127.0.0.9 1')).toBe(EPERM);
    expect(await inside.run('connect ::ffff:127.0.0.9 1')).toBe(EPERM);
    expect(await inside.run('connect ::1 5353')).toBe(EPERM);
    expect(await inside.run('connect ::1 5354')).toBe('ok');
    for (const operation of ['connect 127.16.4.5 8000', 'connect 127.0.0.9 1', 'connect ::1 5353']) expect(await outside.run(operation)).toBe('ok');
    const events = eventsOf(lab.reader, inside.namespace);
    expect(events.map((e) => e.event.address)).toEqual([
      { ip: '127.16.4.5', port: 8000 },
      { ip: '127.16.4.5', port: 8100 },
      { ip: '127.0.0.9', port: 1 },
      { ip: '127.0.0.9', port: 1 },
      { ip: '::1', port: 5353 },
    ]);
  });
});

describe('ptrace rules', () => {
  it('tracing and reading tasks outside the container; strictMode also inside', async () => {
    const outsider = await Task.start({ container: false });
    tasks.push(outsider);
    const { inside } = await confinedAndOutside('      auditViolations: true\n      hardeningRules: [disallow-access-procfs-root]\n');
    expect(await inside.run(`readlink /proc/${outsider.pid}/cwd`)).toBe(EACCES);
    expect(await inside.run(`ptrace ${outsider.pid}`)).toBe(EPERM);
    // The host may look into the container.
    expect(await outsider.run(`readlink /proc/${inside.pid}/cwd`)).toBe('ok');
    expect(eventsOf(lab.reader, inside.namespace).map((e) => [e.action, e.event.permission, e.event.external])).toEqual([
      ['DENIED', 'read', true],
      ['DENIED', 'trace', true],
    ]);
  });
});

describe('mount rules', () => {
  it('mount, bind, move_mount and umount', async () => {
    const target = join(root, 'mnt');
    mkdirSync(target);
    mkdirSync(join(root, 'mnt2'));
    const { inside } = await confinedAndOutside('      auditViolations: true\n      hardeningRules: [disallow-umount]\n');
    const other = await Task.start({ container: true });
    tasks.push(other);
    expect(await other.run(`mount none ${target} tmpfs -`)).toBe('ok');
    expect(await inside.run(`mount none ${target} tmpfs -`)).toBe(EPERM);
    expect(await inside.run(`mount /etc ${target} - bind`)).toBe(EPERM);
    expect(await inside.run(`move_mount /etc ${join(root, 'mnt2')}`)).toBe(EPERM);
    expect(await inside.run('umount /proc')).toBe(EPERM);
    expect(await other.run(`umount ${target}`)).toBe('ok');
    expect(eventsOf(lab.reader, inside.namespace).map((e) => [e.event.operation, e.event.path, e.event.type, e.event.flags])).toEqual([
      ['Mount', 'none', 'tmpfs', []],
      ['Mount', '/etc', 'none', ['bind']],
      // A tree cloned by open_tree() is detached: its path is its own root.
      ['Mount', '/', 'none', ['move']],
      ['Mount', '/proc', 'none', ['umount']],
    ]);
  });
});

describe('capability rules', () => {
  it('refuse the capability; outside it works', async () => {
    const file = join(root, 'owned');
    writeFileSync(file, 'x\n');
    const { inside, outside } = await confinedAndOutside('      auditViolations: true\n      hardeningRules: [disable-cap-chown]\n');
    expect(await inside.run(`chown ${file} 1000`)).toBe(EPERM);
    expect(await outside.run(`chown ${file} 1000`)).toBe('ok');
    expect(eventsOf(lab.reader, inside.namespace).map((e) => [e.action, e.event.capability])).toEqual([['DENIED', 'chown']]);
  });
});

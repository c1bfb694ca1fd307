import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EACCES, EPERM, applyTo, closeKernelEnforcer, compileBpf, enhancePolicy, eventsOf, kernelEnforcer } from './support/lab.js';
import { Task } from './support/probe.js';

// The holes of vArmor's BPF enforcer (reference Appendix A), each shown closed on a real kernel.

let lab: Awaited<ReturnType<typeof kernelEnforcer>>;
let root: string;
const tasks: Task[] = [];

beforeAll(async () => {
  lab = await kernelEnforcer();
  root = mkdtempSync('/tmp/armorkit-bpf-holes-');
});
afterAll(async () => {
  for (const task of tasks) await task.stop();
  for (const task of tasks) lab.enforcer.removeProfile(task.namespace);
  closeKernelEnforcer();
});

async function confined(enhance: string, options?: Parameters<typeof compileBpf>[1]): Promise<Task> {
  const task = await Task.start({ container: true });
  tasks.push(task);
  applyTo(lab.enforcer, task.namespace, compileBpf(enhancePolicy(enhance), options));
  return task;
}

describe('Q1: a precise path is matched exactly, not as a prefix', () => {
  it('/etc/passwd is refused, /etc/passwd.bak and /etc/passwd-x/ are not', async () => {
    writeFileSync('/etc/passwd.bak', 'copy\n');
    mkdirSync('/etc/passwd-x', { recursive: true });
    writeFileSync('/etc/passwd-x/file', 'x\n');
    const task = await confined('      attackProtectionRules:\n      - rules: [disable-access-passwd]\n');
    expect(await task.run('open /etc/passwd r')).toBe(EPERM);
    expect(await task.run('open /etc/passwd.bak r')).toBe('ok');
    expect(await task.run('open /etc/passwd-x/file r')).toBe('ok');
  });
});

describe('Q2: exec rules see the executable, not the name as typed', () => {
  it('./curl and a symlinked curl are refused; an applet link named sh is refused by its absolute name', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin);
    copyFileSync('/usr/bin/true', join(bin, 'curl'));
    symlinkSync(join(bin, 'curl'), join(bin, 'innocent'));
    symlinkSync('/usr/bin/true', join(bin, 'sh'));
    const task = await confined('      attackProtectionRules:\n      - rules: [disable-curl, disable-shell]\n');
    expect(await task.run(`chdir ${bin}`)).toBe('ok');
    expect(await task.run('exec ./curl')).toBe(EPERM);
    expect(await task.run(`exec ${bin}/innocent`)).toBe(EPERM);
    expect(await task.run(`exec ${bin}/sh`)).toBe(EPERM);
    expect(await task.run('exec /usr/bin/true')).toBe('ok');
  });
});

describe('Q3: disk-device rules keep their mode', () => {
  it('the expanded /dev/<device> rules deny and audit', async () => {
    writeFileSync('/dev/armorkit-test-disk', '');
    const task = await confined('      privileged: true\n      auditViolations: true\n      hardeningRules: [disallow-debug-disk-device]\n', {
      diskDevices: ['armorkit-test-disk'],
    });
    expect(await task.run('open /dev/armorkit-test-disk rw')).toBe(EPERM);
    expect(eventsOf(lab.reader, task.namespace).map((e) => [e.action, e.event.path])).toEqual([['DENIED', '/dev/armorkit-test-disk']]);
  });
});

describe('Q4: capability and ptrace rules keep a mode per permission', () => {
  it('the built-in read is denied while a raw traceby rule only audits', async () => {
    const target = await confined(
      '      hardeningRules: [disallow-access-procfs-root]\n      bpfRawRules:\n        ptrace: {qualifiers: [audit], strictMode: true, permissions: [traceby]}\n',
    );
    const other = await confined('      privileged: true\n      hardeningRules: [disable-cap-mknod]\n');
    const outsider = await Task.start({ container: false });
    tasks.push(outsider);
    expect(await target.run(`readlink /proc/${outsider.pid}/cwd`)).toBe(EACCES);
    // Traced by a task of another container: audited, not denied (vArmor would have made it deny).
    expect(await other.run(`ptrace ${target.pid}`)).toBe('ok');
    expect(eventsOf(lab.reader, target.namespace).map((e) => [e.action, e.event.permission])).toEqual([['AUDIT', 'traceby']]);
  });
});

describe('Q6: TCP rules match socket(AF_INET, SOCK_STREAM, 0)', () => {
  it('protocol 0 resolves to the type default; MPTCP counts as TCP', async () => {
    const task = await confined('      attackProtectionRules:\n      - rules: [disable-tcp]\n');
    expect(await task.run('socket 2 1 0')).toBe(EPERM);
    expect(await task.run('socket 10 1 0')).toBe(EPERM);
    expect(await task.run('socket 2 1 6')).toBe(EPERM);
    expect(['errno 1', 'errno 93', 'errno 97']).toContain(await task.run('socket 2 1 262'));
    expect(await task.run('socket 2 2 0')).toBe('ok');
    expect(await task.run('socket 1 1 0')).toBe('ok');
  });
});

describe('addresses that reach a blocked one by another spelling', () => {
  it('v4-mapped IPv6 and the rest of 127/8 are covered', async () => {
    const task = await confined(
      '      bpfRawRules:\n        network:\n          egress:\n            toDestinations:\n            - {qualifiers: [deny], ip: localhost, ports: [{port: 6443}]}\n' +
        '            - {qualifiers: [deny], ip: 127.0.0.1, ports: [{port: 7000}]}\n',
    );
    expect(await task.run('connect 127.0.0.1 6443')).toBe(EPERM);
    expect(await task.run('connect 127.3.2.1 6443')).toBe(EPERM);
    expect(await task.run('connect ::1 6443')).toBe(EPERM);
    expect(await task.run('connect ::ffff:127.0.0.1 7000')).toBe(EPERM);
    expect(await task.run('connect 127.0.0.1 6444')).toBe('ok');
  });
});

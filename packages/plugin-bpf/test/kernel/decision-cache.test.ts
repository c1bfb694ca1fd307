import { closeSync, linkSync, mkdirSync, mkdtempSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPERM, applyTo, closeKernelEnforcer, compileBpf, enhancePolicy, eventsOf, kernelEnforcer } from './support/lab.js';
import { Task } from './support/probe.js';

// file_open keeps the verdict of the last path an inode was opened through (bpf/decision-cache.h). Each test first
// lets an open fill that entry, then reaches the same inode in a way that must be decided again: through another
// path (a rename, a mount, a hard link, a chroot) or under another profile. A stale entry makes the test fail.

let lab: Awaited<ReturnType<typeof kernelEnforcer>>;
let root: string;
const tasks: Task[] = [];

beforeAll(async () => {
  lab = await kernelEnforcer();
  root = mkdtempSync('/tmp/armorkit-bpf-cache-');
});
afterAll(async () => {
  for (const task of tasks) await task.stop();
  for (const task of tasks) lab.enforcer.removeProfile(task.namespace);
  closeKernelEnforcer();
});

/** Deny-only rules (mode 1, no event): their verdicts are the ones served from the cache. */
const denyRules = (rules: Array<[string, string]>) =>
  `      privileged: true\n      bpfRawRules:\n        files:\n` +
  rules.map(([pattern, permissions]) => `        - {qualifiers: [deny], pattern: "${pattern}", permissions: [${permissions}]}\n`).join('');

async function confined(rules: Array<[string, string]>, options: { cwd?: string } = {}): Promise<Task> {
  const task = await Task.start({ container: true, ...options });
  tasks.push(task);
  applyTo(lab.enforcer, task.namespace, compileBpf(enhancePolicy(denyRules(rules))));
  return task;
}

/** A fresh directory under the test root with the given subdirectories. */
function directory(name: string, ...subdirectories: string[]): string {
  const path = join(root, name);
  for (const sub of ['', ...subdirectories]) mkdirSync(join(path, sub), { recursive: true });
  return path;
}

describe('the decision cache of file_open', () => {
  it('one entry answers every access: a cached read does not let a write through', async () => {
    const base = directory('access');
    writeFileSync(join(base, 'file'), 'x\n');
    const task = await confined([[`${base}/file`, 'write']]);
    expect(await task.run(`open ${base}/file r`)).toBe('ok');
    expect(await task.run(`open ${base}/file w`)).toBe(EPERM);
    expect(await task.run(`open ${base}/file a`)).toBe(EPERM);
    expect(await task.run(`open ${base}/file r`)).toBe('ok');
    expect(await task.run(`open ${base}/file trunc`)).toBe(EPERM);
  });

  it('a directory renamed under a denied prefix takes the file with it: the new path is decided', async () => {
    const base = directory('rename-in', 'open/dir', 'denied');
    writeFileSync(join(base, 'open/dir/file'), 'x\n');
    const task = await confined([[`${base}/denied/**`, 'read']]);
    for (let i = 0; i < 3; i++) expect(await task.run(`open ${base}/open/dir/file r`)).toBe('ok');
    // Renamed by another task, outside the container: no hook of the confined task sees it.
    renameSync(join(base, 'open/dir'), join(base, 'denied/dir'));
    expect(await task.run(`open ${base}/denied/dir/file r`)).toBe(EPERM);
    expect(await task.run(`open ${base}/denied/dir/file r`)).toBe(EPERM);
  });

  it('and the reverse: a denied file renamed out of the denied directory is let through', async () => {
    const base = directory('rename-out', 'denied/dir', 'open');
    writeFileSync(join(base, 'denied/dir/file'), 'x\n');
    const task = await confined([[`${base}/denied/**`, 'read']]);
    for (let i = 0; i < 3; i++) expect(await task.run(`open ${base}/denied/dir/file r`)).toBe(EPERM);
    renameSync(join(base, 'denied/dir'), join(base, 'open/dir'));
    expect(await task.run(`open ${base}/open/dir/file r`)).toBe('ok');
    renameSync(join(base, 'open/dir'), join(base, 'denied/dir'));
    expect(await task.run(`open ${base}/denied/dir/file r`)).toBe(EPERM);
  });

  it('a bind mount of the file onto a denied path is decided by the mount it is opened through', async () => {
    const base = directory('bind', 'open', 'denied');
    writeFileSync(join(base, 'open/file'), 'x\n');
    writeFileSync(join(base, 'denied/file'), 'other\n');
    const task = await confined([[`${base}/denied/**`, 'read']]);
    expect(await task.run(`open ${base}/open/file r`)).toBe('ok');
    expect(await task.run(`mount ${base}/open/file ${base}/denied/file - bind`)).toBe('ok');
    expect(await task.run(`open ${base}/denied/file r`)).toBe(EPERM);
    expect(await task.run(`open ${base}/open/file r`)).toBe('ok');
    expect(await task.run(`umount ${base}/denied/file`)).toBe('ok');
  });

  it('a mount moved under a denied path: same mount, same dentry, new path', async () => {
    const base = directory('move', 'open/mnt', 'denied/mnt');
    const task = await confined([[`${base}/denied/**`, 'read']]);
    expect(await task.run(`mount none ${base}/open/mnt tmpfs`)).toBe('ok');
    expect(await task.run(`open ${base}/open/mnt/file create`)).toBe('ok');
    for (let i = 0; i < 3; i++) expect(await task.run(`open ${base}/open/mnt/file r`)).toBe('ok');
    expect(await task.run(`mount ${base}/open/mnt ${base}/denied/mnt - move`)).toBe('ok');
    expect(await task.run(`open ${base}/denied/mnt/file r`)).toBe(EPERM);
    expect(await task.run(`umount ${base}/denied/mnt`)).toBe('ok');
  });

  it('a hard link with a denied name, looked up after the dentry of the allowed name was dropped', async () => {
    const base = directory('links');
    writeFileSync(join(base, 'allowed'), 'x\n');
    linkSync(join(base, 'allowed'), join(base, 'keeper'));
    linkSync(join(base, 'allowed'), join(base, 'secret-name'));
    const task = await confined([[`${base}/secret-name`, 'read']], { cwd: base });
    // The inode stays (this process holds it through a third name) while the dentries of the other names go.
    const keeper = openSync(join(base, 'keeper'), 'r');
    try {
      for (let i = 0; i < 20; i++) {
        expect(await task.run(`open ${base}/allowed r`)).toBe('ok');
        writeFileSync('/proc/sys/vm/drop_caches', '2\n');
        expect(await task.run(`open ${base}/secret-name r`)).toBe(EPERM);
        writeFileSync('/proc/sys/vm/drop_caches', '2\n');
      }
    } finally {
      closeSync(keeper);
    }
  });

  it('chroot: the same file under a new root has a new path', async () => {
    const base = directory('jail', 'secret');
    writeFileSync(join(base, 'secret/file'), 'x\n');
    const task = await confined([['/secret/**', 'read']]);
    for (let i = 0; i < 3; i++) expect(await task.run(`open ${base}/secret/file r`)).toBe('ok');
    expect(await task.run(`chroot ${base}`)).toBe('ok');
    expect(await task.run('open /secret/file r')).toBe(EPERM);
  });

  it('a profile update that newly denies the path applies to the next open, and one that stops denying it too', async () => {
    const base = directory('update');
    writeFileSync(join(base, 'file'), 'x\n');
    const task = await confined([[`${base}/other`, 'read']]);
    const denying = compileBpf(enhancePolicy(denyRules([[`${base}/file`, 'read']]), 'denying'));
    const allowing = compileBpf(enhancePolicy(denyRules([[`${base}/other`, 'read']]), 'allowing'));
    for (let i = 0; i < 3; i++) {
      expect(await task.run(`open ${base}/file r`)).toBe('ok');
      applyTo(lab.enforcer, task.namespace, denying);
      expect(await task.run(`open ${base}/file r`)).toBe(EPERM);
      expect(await task.run(`open ${base}/file r`)).toBe(EPERM);
      applyTo(lab.enforcer, task.namespace, allowing);
    }
  });

  it('audited opens are reported every time, not only when the entry is made', async () => {
    const base = directory('audit');
    writeFileSync(join(base, 'audited'), 'x\n');
    writeFileSync(join(base, 'refused'), 'x\n');
    const task = await Task.start({ container: true });
    tasks.push(task);
    applyTo(
      lab.enforcer,
      task.namespace,
      compileBpf(
        enhancePolicy(
          `      bpfRawRules:\n        files:\n` +
            `        - {qualifiers: [audit], pattern: ${base}/audited, permissions: [read]}\n` +
            `        - {qualifiers: [audit, deny], pattern: ${base}/refused, permissions: [write]}\n`,
        ),
      ),
    );
    for (let i = 0; i < 3; i++) {
      expect(await task.run(`open ${base}/audited r`)).toBe('ok');
      expect(await task.run(`open ${base}/refused r`)).toBe('ok');
      expect(await task.run(`open ${base}/refused w`)).toBe(EPERM);
    }
    expect(eventsOf(lab.reader, task.namespace).map((e) => [e.action, e.event.path, e.event.permissions])).toEqual(
      Array.from({ length: 3 }, () => [
        ['AUDIT', `${base}/audited`, ['read']],
        ['DENIED', `${base}/refused`, ['write']],
      ]).flat(),
    );
  });
});

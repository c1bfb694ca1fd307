import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { type WriterFileSystem, writeFilesAtomically } from '../src/write-atomic.js';
import { armorkit } from './cli-process.js';

const REPO = new URL('../../../', import.meta.url).pathname;
/** Three enforcers, so three files: apparmor, bpf.json, seccomp.json (in that order). */
const MULTI = join(REPO, 'examples/policies/payments-multi-enforcer.yaml');
const PROFILE = 'varmor-payments-payments-api';
const scratch = fs.mkdtempSync(join(tmpdir(), 'armorkit-out-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), cwd: scratch });
  return { code, out, err };
}

let counter = 0;
function freshDirectory(): string {
  const path = join(scratch, `case-${++counter}`);
  fs.mkdirSync(path);
  return path;
}

/** Everything in a directory tree, as it would be compared byte for byte: names, kinds, contents, link targets, inodes. */
function snapshot(directory: string): string[] {
  return fs.readdirSync(directory).sort().flatMap((name) => {
    const path = join(directory, name);
    const stat = fs.lstatSync(path);
    if (stat.isSymbolicLink()) return [`${name} -> ${fs.readlinkSync(path)}`];
    if (stat.isDirectory()) return [`${name}/`, ...snapshot(path).map((entry) => `${name}/${entry}`)];
    return [`${name} #${stat.ino} ${stat.mode.toString(8)} ${fs.readFileSync(path, 'base64')}`];
  });
}

/** A file outside the output directory that an attacker would like overwritten. */
function victim(): string {
  const path = join(scratch, `victim-${++counter}`);
  fs.writeFileSync(path, 'precious\n');
  return path;
}

const files = [
  { name: 'a.apparmor', content: 'profile a {}\n' },
  { name: 'b.seccomp.json', content: '{"defaultAction":"SCMP_ACT_ALLOW"}\n' },
  { name: 'c.bpf.json', content: '{}\n' },
];

describe('writeFilesAtomically', () => {
  it('never opens or links through a name someone planted: every name it tries gets a symlink first', () => {
    const directory = freshDirectory();
    const target = victim();
    const planted: string[] = [];
    fs.writeFileSync(join(directory, 'b.seccomp.json'), 'old\n');
    // The attacker wins every other race: a symlink to the victim appears at the name just before it is used.
    let calls = 0;
    const plant = (path: fs.PathLike) => {
      if (basename(String(path)).startsWith('.armorkit-') && ++calls % 2 === 1) {
        fs.symlinkSync(target, path);
        planted.push(String(path));
      }
    };
    const fileSystem: WriterFileSystem = {
      ...fs,
      openSync: ((path: fs.PathLike, flags: number, mode?: number) => (plant(path), fs.openSync(path, flags, mode))) as typeof fs.openSync,
      linkSync: (existing, path) => (plant(path), fs.linkSync(existing, path)),
    };
    const outcome = writeFilesAtomically(directory, files, { fileSystem });
    expect(outcome).toEqual({ ok: true, written: files.map((file) => join(directory, file.name)) });
    // Three temporary files and one backup (of b), each tried twice.
    expect(planted).toHaveLength(files.length + 1);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    for (const file of files) {
      expect(fs.lstatSync(join(directory, file.name)).isFile()).toBe(true);
      expect(fs.readFileSync(join(directory, file.name), 'utf8')).toBe(file.content);
    }
    // Only the attacker's links are left besides the output: no temporary or backup file of ours.
    const ours = fs.readdirSync(directory).filter((name) => name.startsWith('.') && !planted.includes(join(directory, name)));
    expect(ours).toEqual([]);
  });

  it('gives up with an error, changing nothing, when every name it could use is taken', () => {
    const directory = freshDirectory();
    const target = victim();
    const fileSystem: WriterFileSystem = {
      ...fs,
      openSync: ((path: fs.PathLike, flags: number, mode?: number) => {
        if (basename(String(path)).startsWith('.armorkit-')) fs.symlinkSync(target, path);
        return fs.openSync(path, flags, mode);
      }) as typeof fs.openSync,
    };
    const outcome = writeFilesAtomically(directory, files, { fileSystem });
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.failure.reason).toBe('file already exists');
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    expect(fs.readdirSync(directory).every((name) => fs.lstatSync(join(directory, name)).isSymbolicLink())).toBe(true);
  });

  it('replaces a symlink at the final name with a regular file and leaves its target alone', () => {
    const directory = freshDirectory();
    const target = victim();
    fs.symlinkSync(target, join(directory, 'a.apparmor'));
    expect(writeFilesAtomically(directory, files).ok).toBe(true);
    expect(fs.lstatSync(join(directory, 'a.apparmor')).isFile()).toBe(true);
    expect(fs.readFileSync(join(directory, 'a.apparmor'), 'utf8')).toBe('profile a {}\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it('a failed third rename leaves the directory exactly as it was, replaced files and symlinks included', () => {
    const directory = freshDirectory();
    const target = victim();
    fs.writeFileSync(join(directory, 'a.apparmor'), 'old a\n');
    fs.symlinkSync(target, join(directory, 'b.seccomp.json'));
    fs.writeFileSync(join(directory, 'c.bpf.json'), 'old c\n', { mode: 0o600 });
    fs.writeFileSync(join(directory, 'unrelated'), 'keep\n');
    const before = snapshot(directory);
    let renames = 0;
    const fileSystem: WriterFileSystem = {
      ...fs,
      renameSync: (from, to) => {
        if (String(from).endsWith('.tmp') && ++renames === 3) {
          throw Object.assign(new Error(`EROFS: read-only file system, rename '${String(from)}' -> '${String(to)}'`), { code: 'EROFS' });
        }
        fs.renameSync(from, to);
      },
    };
    const outcome = writeFilesAtomically(directory, files, { fileSystem });
    expect(renames).toBe(3);
    expect(outcome).toEqual({ ok: false, failure: { path: join(directory, 'c.bpf.json'), reason: 'read-only file system' } });
    expect(snapshot(directory)).toEqual(before);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it('says what it could not put back when the rollback fails too', () => {
    const directory = freshDirectory();
    fs.writeFileSync(join(directory, 'a.apparmor'), 'old a\n');
    const fileSystem: WriterFileSystem = {
      ...fs,
      renameSync: (from, to) => {
        const restoring = String(from).endsWith('.bak');
        if (restoring || String(to).endsWith('c.bpf.json')) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
        fs.renameSync(from, to);
      },
    };
    expect(writeFilesAtomically(directory, files, { fileSystem })).toEqual({
      ok: false,
      failure: { path: join(directory, 'c.bpf.json'), reason: `i/o error; and could not restore ${join(directory, 'a.apparmor')}: i/o error` },
    });
  });

  it('a failed write (disk full) before any rename leaves nothing behind', () => {
    const directory = freshDirectory();
    fs.writeFileSync(join(directory, 'a.apparmor'), 'old a\n');
    const before = snapshot(directory);
    let writes = 0;
    const fileSystem: WriterFileSystem = {
      ...fs,
      writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
        if (++writes === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return Reflect.apply(fs.writeSync, fs, args);
      }) as typeof fs.writeSync,
    };
    const outcome = writeFilesAtomically(directory, files, { fileSystem });
    expect(outcome.ok ? '' : outcome.failure.reason).toBe('no space left on device');
    expect(snapshot(directory)).toEqual(before);
  });

  it('refuses names that are paths, hidden or repeated', () => {
    for (const name of ['../x', 'a/b', '.hidden', '']) {
      expect(writeFilesAtomically(freshDirectory(), [{ name, content: '' }])).toEqual({
        ok: false,
        failure: { path: name, reason: 'not a plain, unique file name' },
      });
    }
    expect(writeFilesAtomically(freshDirectory(), [files[0]!, files[0]!]).ok).toBe(false);
  });
});

describe('armorkit compile --out', () => {
  it('a directory in the way of the third file: exit 2, the path and the reason, the directory as it was', async () => {
    const directory = freshDirectory();
    expect((await run(['compile', MULTI, '--out', directory, '--no-verify'])).code).toBe(0);
    fs.writeFileSync(join(directory, `${PROFILE}.apparmor`), 'the previous profile\n');
    fs.rmSync(join(directory, `${PROFILE}.seccomp.json`));
    fs.mkdirSync(join(directory, `${PROFILE}.seccomp.json`));
    fs.writeFileSync(join(directory, `${PROFILE}.seccomp.json`, 'inside'), 'x');
    const before = snapshot(directory);
    const { code, out, err } = await run(['compile', MULTI, '--out', directory, '--no-verify']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`armorkit: --out: ${directory}/${PROFILE}.seccomp.json: a directory is in the way; nothing was written\n`);
    expect(snapshot(directory)).toEqual(before);
  });

  // A real read-only file system: DIR bind-mounted read-only in a mount namespace of the child's own.
  const readOnly = ['unshare', '-rm', 'sh', '-c', 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'];
  it('a read-only DIR (bind mount in a user namespace): exit 2, the reason, nothing changed', async () => {
    // util-linux's unshare and user namespaces are part of this project's machines (the seccomp tests need them too):
    // without them this fails rather than skipping, so the read-only case is never silently left out.
    const probe = spawnSync(readOnly[0]!, [...readOnly.slice(1), scratch, 'true'], { encoding: 'utf8' });
    expect(probe.status, `a read-only bind mount in a user namespace must work here: ${probe.stderr}`).toBe(0);
    const directory = freshDirectory();
    expect((await run(['compile', MULTI, '--out', directory, '--no-verify'])).code).toBe(0);
    fs.writeFileSync(join(directory, `${PROFILE}.bpf.json`), 'the previous profile\n');
    const before = snapshot(directory);
    const result = armorkit(['compile', MULTI, '--out', directory, '--no-verify'], { cwd: scratch, through: [...readOnly, directory] });
    expect(result.stderr).toMatch(new RegExp(`^armorkit: --out: ${directory}/\\.armorkit-[0-9a-f]{24}\\.tmp: read-only file system; nothing was written\n$`));
    expect(result.status).toBe(2);
    expect(snapshot(directory)).toEqual(before);
  });

  it('refuses a directory that is a symbolic link', async () => {
    const real = freshDirectory();
    const link = join(scratch, `link-${++counter}`);
    fs.symlinkSync(real, link);
    const { code, err } = await run(['compile', MULTI, '--out', link, '--no-verify']);
    expect(code).toBe(2);
    expect(err).toBe(`armorkit: --out: ${link}: is a symbolic link; give the directory it points to; nothing was written\n`);
    expect(fs.readdirSync(real)).toEqual([]);
  });

  // A child process, so a regression (mkdir retrying forever under /proc/self) fails the test instead of hanging it.
  it.each([
    ['/proc/self/x', '/proc/self/x: is under /proc, a kernel file system'],
    ['/sys/kernel/armorkit', '/sys/kernel/armorkit: is under /sys, a kernel file system'],
  ])('refuses %s promptly (the real binary, killed after 60 s)', { timeout: 90_000 }, (out, message) => {
    const result = armorkit(['compile', MULTI, '--out', out, '--no-verify'], { cwd: scratch, timeout: 60_000 });
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe(`armorkit: --out: ${message}, not a place for files; nothing was written\n`);
    expect(result.status).toBe(2);
  });

  it('refuses /proc itself and a procfs mounted elsewhere (by file system type)', async () => {
    expect(await run(['compile', MULTI, '--out', '/proc', '--no-verify'])).toMatchObject({
      code: 2,
      err: 'armorkit: --out: /proc: is under /proc, a kernel file system, not a place for files; nothing was written\n',
    });
    const fileSystem: WriterFileSystem = { ...fs, statfsSync: ((path: fs.PathLike) => ({ ...fs.statfsSync(path), type: 0x9fa0 })) as typeof fs.statfsSync };
    const directory = freshDirectory();
    expect(writeFilesAtomically(directory, files, { fileSystem })).toEqual({
      ok: false,
      failure: { path: directory, reason: 'is on a proc file system, not a place for files' },
    });
    expect(fs.readdirSync(directory)).toEqual([]);
  });

  it('refuses a link to /proc given as a parent of a new directory', async () => {
    const link = join(scratch, `proc-link-${++counter}`);
    fs.symlinkSync('/proc/self', link);
    const { code, err } = await run(['compile', MULTI, '--out', join(link, 'new'), '--no-verify']);
    expect(code).toBe(2);
    expect(err).toContain(`armorkit: --out: ${link}/new: is under /proc, a kernel file system`);
  });

  it('repeated runs give the same directory: same files, same bytes, nothing else', async () => {
    const directory = join(freshDirectory(), 'new', 'nested');
    const first = await run(['compile', MULTI, '--out', directory, '--no-verify']);
    expect(first.code).toBe(0);
    expect(first.out).toBe(['apparmor', 'bpf.json', 'seccomp.json'].map((suffix) => `wrote ${directory}/${PROFILE}.${suffix}\n`).join(''));
    const contents = () => snapshot(directory).map((entry) => entry.replace(/ #\d+ /, ' '));
    const once = contents();
    expect((await run(['compile', MULTI, '--out', directory, '--no-verify'])).out).toBe(first.out);
    expect(contents()).toEqual(once);
    expect(fs.readdirSync(directory)).toEqual([`${PROFILE}.apparmor`, `${PROFILE}.bpf.json`, `${PROFILE}.seccomp.json`]);
  });
});

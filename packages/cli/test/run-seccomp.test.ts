import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { armorkit } from './cli-process.js';

// `armorkit run` on the host kernel, which enforces seccomp. Every case runs the same action confined and
// unconfined, so removing the filter (or a rule) makes the test fail.

const ENHANCE = new URL('fixtures/seccomp-enhance.yaml', import.meta.url).pathname;
const RUNTIME_DEFAULT = new URL('fixtures/seccomp-runtime-default.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'armorkit-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function armorkitRun(policy: string, command: string[]) {
  return armorkit(['run', '--policy', policy, '--', ...command], { cwd: dir });
}

function unconfined(command: string[]) {
  return spawnSync(command[0]!, command.slice(1), { cwd: dir, encoding: 'utf8' });
}

const py = (code: string) => ['python3', '-c', code];
const chmodVia = {
  // glibc's chmod() is fchmodat(AT_FDCWD, ...) on x86_64; the coreutils path covers that
  chmod: (mode: string) => py(`import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); sys.exit(0 if l.syscall(90, b"f", ${mode})==0 else ctypes.get_errno())`),
  fchmodat: (mode: string) => py(`import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); sys.exit(0 if l.syscall(268, -100, b"f", ${mode})==0 else ctypes.get_errno())`),
  fchmodat2: (mode: string) => py(`import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); sys.exit(0 if l.syscall(452, -100, b"f", ${mode}, 0)==0 else ctypes.get_errno())`),
};
const EPERM = 1;

describe('armorkit run under seccomp (host kernel)', { timeout: 60_000 }, () => {
  it.each(Object.entries(chmodVia))('disable-chmod-x-bit denies +x through %s, allows 0644', (_name, via) => {
    writeFileSync(join(dir, 'f'), '');
    chmodSync(join(dir, 'f'), 0o644);
    const denied = armorkitRun(ENHANCE, via('0o755'));
    expect(denied.stderr).toContain('Seccomp: seccomp filter of');
    expect(denied.status).toBe(EPERM);
    expect(statSync(join(dir, 'f')).mode & 0o111).toBe(0);
    expect(armorkitRun(ENHANCE, via('0o644')).status).toBe(0);
    // the same call unconfined succeeds
    expect(unconfined(via('0o755')).status).toBe(0);
    expect(statSync(join(dir, 'f')).mode & 0o111).not.toBe(0);
  });

  it('the coreutils chmod +x is denied, chmod 644 allowed', () => {
    writeFileSync(join(dir, 'g'), '');
    expect(armorkitRun(ENHANCE, ['chmod', '+x', 'g']).status).toBe(1);
    expect(armorkitRun(ENHANCE, ['chmod', '644', 'g']).status).toBe(0);
  });

  it('disallow-create-user-ns denies unshare -U and clone(CLONE_NEWUSER)', () => {
    expect(armorkitRun(ENHANCE, ['unshare', '-U', 'true']).status).not.toBe(0);
    expect(unconfined(['unshare', '-U', 'true']).status).toBe(0);
    // raw clone(CLONE_NEWUSER|SIGCHLD): the child exits at once; the parent reports the errno
    const clone = py(
      'import ctypes,os,sys; l=ctypes.CDLL(None,use_errno=True); pid=l.syscall(56, 0x10000000|17, 0, 0, 0, 0)\n' +
        'if pid==0: os._exit(0)\n' +
        'sys.exit(ctypes.get_errno() if pid<0 else (os.waitpid(pid,0), 0)[1])',
    );
    expect(armorkitRun(ENHANCE, clone).status).toBe(EPERM);
    expect(unconfined(clone).status).toBe(0);
  });

  it('dirty-pipe-mitigation denies splice', () => {
    const splice = py(
      'import os,sys\nr,w=os.pipe(); r2,w2=os.pipe(); os.write(w,b"x")\ntry:\n os.splice(r,w2,1); sys.exit(0)\nexcept OSError as e:\n sys.exit(e.errno)',
    );
    expect(armorkitRun(ENHANCE, splice).status).toBe(EPERM);
    expect(unconfined(splice).status).toBe(0);
  });

  it('a raw MASKED_EQ rule behaves as written', () => {
    const persona = (value: string) =>
      py(`import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); r=l.personality(${value}); sys.exit(0 if r!=-1 else ctypes.get_errno())`);
    expect(armorkitRun(ENHANCE, persona('0x0040000')).status).toBe(EPERM); // bit set: denied
    expect(armorkitRun(ENHANCE, persona('0x0000008')).status).toBe(0); // bit clear: allowed
    expect(armorkitRun(ENHANCE, persona('0xffffffff')).status).toBe(EPERM); // query has every bit set
    expect(unconfined(persona('0x0040000')).status).toBe(0);
  });

  it('RuntimeDefault lets an ordinary shell pipeline run and still denies mount and unshare', () => {
    const pipeline = armorkitRun(RUNTIME_DEFAULT, ['sh', '-c', 'echo hello | tr a-z A-Z | cat; ls / >/dev/null']);
    expect(pipeline.status).toBe(0);
    expect(pipeline.stdout).toBe('HELLO\n');
    expect(armorkitRun(RUNTIME_DEFAULT, ['unshare', '-m', 'true']).status).not.toBe(0);
    expect(unconfined(['unshare', '-m', 'true']).status).toBe(0);
  });

  it('passes the exit code through', () => {
    expect(armorkitRun(RUNTIME_DEFAULT, ['sh', '-c', 'exit 7']).status).toBe(7);
  });
});

import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LinuxSeccomp } from '@armorkit/core/schema';
import { describe, expect, test } from 'vitest';
import { compileFilter } from '../src/compile/compile-filter.js';
import { serializeFilter } from '../src/bpf/serialize.js';
import { runConfined, type ConfinedRun } from '../src/run/bwrap.js';
import { containerdDefaultProfile } from './support/containerd-profile.js';

// These run on the host kernel through bubblewrap: the filter is really installed and really enforced.

const S_IXUSR = 0x40;
const S_IXGRP = 0x8;
const S_IXOTH = 0x1;
const CLONE_NEWUSER = 0x10000000;
const ENOSYS = 38;

function filterOf(profile: LinuxSeccomp): Buffer {
  const compiled = compileFilter(profile, 'x86_64');
  expect(compiled.errors).toEqual([]);
  return serializeFilter(compiled.program);
}

const ALLOW_ALL = filterOf({ defaultAction: 'SCMP_ACT_ALLOW' });

async function run(filter: Buffer, argv: string[]): Promise<ConfinedRun> {
  const result = await runConfined({ filter, argv });
  if ('code' in result) throw new Error(result.message);
  return result;
}

/** vArmor's disable-chmod-x-bit: any execute bit in the mode argument of the four chmod calls is refused. */
const noExecuteBit = (index: number) => [S_IXUSR, S_IXGRP, S_IXOTH].map((bit) => ({ index, op: 'SCMP_CMP_MASKED_EQ' as const, value: bit, valueTwo: bit }));
const DISABLE_CHMOD_X_BIT: LinuxSeccomp = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [
    { names: ['chmod'], action: 'SCMP_ACT_ERRNO', args: noExecuteBit(1) },
    { names: ['fchmod'], action: 'SCMP_ACT_ERRNO', args: noExecuteBit(1) },
    { names: ['fchmodat'], action: 'SCMP_ACT_ERRNO', args: noExecuteBit(2) },
    { names: ['fchmodat2'], action: 'SCMP_ACT_ERRNO', args: noExecuteBit(2) },
  ],
};

// Raw system calls through ctypes so libc cannot pick another syscall; prints the errno (0 on success).
const CHMOD_PROGRAM = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
how, path, mode = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3], 8)
AT_FDCWD = -100
if how == 'chmod': r = libc.syscall(90, path, mode)
elif how == 'fchmod':
    fd = os.open(path, os.O_RDONLY); r = libc.syscall(91, fd, mode)
elif how == 'fchmodat': r = libc.syscall(268, AT_FDCWD, path, mode)
elif how == 'fchmodat2': r = libc.syscall(452, AT_FDCWD, path, mode, 0)
print(0 if r == 0 else ctypes.get_errno())
`;

describe('enforcement on the host kernel through bwrap --seccomp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'armorkit-seccomp-'));

  test.each(['chmod', 'fchmod', 'fchmodat', 'fchmodat2'])('disable-chmod-x-bit refuses +x and allows 644 through %s', async (how) => {
    const file = join(dir, `${how}.txt`);
    writeFileSync(file, 'x', { mode: 0o600 });
    const filter = filterOf(DISABLE_CHMOD_X_BIT);
    const denied = await run(filter, ['python3', '-c', CHMOD_PROGRAM, how, file, '755']);
    expect(denied.stdout.trim()).toBe('1'); // EPERM
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const allowed = await run(filter, ['python3', '-c', CHMOD_PROGRAM, how, file, '644']);
    expect(allowed.stdout.trim()).toBe('0');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    // Without the rules the same +x call goes through: the refusal above is the filter's doing.
    const control = await run(ALLOW_ALL, ['python3', '-c', CHMOD_PROGRAM, how, file, '755']);
    expect(control.stdout.trim()).toBe('0');
    expect(statSync(file).mode & 0o777).toBe(0o755);
  });

  test('chmod +x (coreutils) is refused, chmod 644 is not', async () => {
    const file = join(dir, 'coreutils.txt');
    writeFileSync(file, 'x', { mode: 0o600 });
    const filter = filterOf(DISABLE_CHMOD_X_BIT);
    const denied = await run(filter, ['chmod', '+x', file]);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/Operation not permitted/);
    expect((await run(filter, ['chmod', '644', file])).exitCode).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  test('user namespaces: unshare and clone with CLONE_NEWUSER refused, clone3 answers ENOSYS', async () => {
    const newUser = { index: 0, op: 'SCMP_CMP_MASKED_EQ' as const, value: CLONE_NEWUSER, valueTwo: CLONE_NEWUSER };
    const filter = filterOf({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['unshare', 'clone'], action: 'SCMP_ACT_ERRNO', args: [newUser] },
        // clone3 passes its flags in a struct the filter cannot read (no pointer dereference in seccomp), so the only
        // safe answer is ENOSYS: libc then falls back to clone(), whose flags the rule above does see.
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      ],
    });
    const denied = await run(filter, ['unshare', '-U', 'true']);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/Operation not permitted/);
    // Threads and processes still start (clone3 → ENOSYS → clone without CLONE_NEWUSER).
    const allowed = await run(filter, ['sh', '-c', 'echo a | cat; unshare --ipc true 2>/dev/null; echo done']);
    expect(allowed.stdout).toBe('a\ndone\n');
    const control = await run(ALLOW_ALL, ['unshare', '-U', 'true']);
    expect(control.exitCode).toBe(0);
  });

  test('splice refused, the rest of the pipe machinery works', async () => {
    const program = `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe(); r2, w2 = os.pipe()
os.write(w, b'hello')
n = libc.syscall(275, r, None, w2, None, 5, 0)
print(n if n >= 0 else -ctypes.get_errno(), os.read(r, 5) if n < 0 else os.read(r2, 5))
`;
    const filter = filterOf({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['splice'], action: 'SCMP_ACT_ERRNO' }] });
    expect((await run(filter, ['python3', '-c', program])).stdout.trim()).toBe("-1 b'hello'");
    expect((await run(ALLOW_ALL, ['python3', '-c', program])).stdout.trim()).toBe("5 b'hello'");
  });

  test("containerd's default profile runs a shell pipeline and refuses a user namespace", async () => {
    const filter = filterOf(containerdDefaultProfile('amd64'));
    const pipeline = await run(filter, ['sh', '-c', 'echo a | tr a b | cat']);
    expect(pipeline.exitCode).toBe(0);
    expect(pipeline.stdout).toBe('b\n');
    const userns = await run(filter, ['unshare', '-U', 'true']);
    expect(userns.exitCode).not.toBe(0);
  });

  test('a missing bwrap is an error value', async () => {
    const result = await runConfined({ filter: ALLOW_ALL, argv: ['true'], bwrap: '/nonexistent/bwrap' });
    expect(result).toMatchObject({ code: 'seccomp/bwrap-missing' });
  });
});

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKernelLab } from '../../src/index.js';
import { waitForKernelMessage } from '../../src/kernel-messages.js';

// Classic BPF, written out by hand: struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }.
const load = 0x20; // BPF_LD | BPF_W | BPF_ABS
const jumpIfEqual = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const returnValue = 0x06; // BPF_RET | BPF_K
const auditArchX86_64 = 0xc000003e;
const syscalls = { mkdir: 83, mkdirat: 258 };
const seccompReturn = { allow: 0x7fff0000, killProcess: 0x80000000, errnoEperm: 0x00050001 };

/** Denies mkdir and mkdirat with `denial`, allows everything else; kills any other architecture. */
function mkdirFilter(denial: number): Buffer {
  const program: [number, number, number, number][] = [
    [load, 0, 0, 4], // seccomp_data.arch
    [jumpIfEqual, 1, 0, auditArchX86_64],
    [returnValue, 0, 0, seccompReturn.killProcess],
    [load, 0, 0, 0], // seccomp_data.nr
    [jumpIfEqual, 2, 0, syscalls.mkdir],
    [jumpIfEqual, 1, 0, syscalls.mkdirat],
    [returnValue, 0, 0, seccompReturn.allow],
    [returnValue, 0, 0, denial],
  ];
  const filter = Buffer.alloc(program.length * 8);
  program.forEach(([code, jumpTrue, jumpFalse, k], index) => {
    filter.writeUInt16LE(code, index * 8);
    filter.writeUInt8(jumpTrue, index * 8 + 2);
    filter.writeUInt8(jumpFalse, index * 8 + 3);
    filter.writeUInt32LE(k, index * 8 + 4);
  });
  return filter;
}

describe('a seccomp filter applied with bwrap --seccomp', () => {
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-seccomp-'));
  const descriptors: number[] = [];

  beforeAll(() => requireKernelLab());
  afterAll(() => descriptors.forEach((fd) => closeSync(fd)));

  /** `bwrap --dev-bind / / [--seccomp 3] -- argv`, with the filter (if any) on fd 3. */
  const sandboxed = (argv: string[], filter?: Buffer) => {
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
    if (filter) {
      const path = join(directory, `filter-${descriptors.length}.bpf`);
      writeFileSync(path, filter);
      const fd = openSync(path, 'r');
      descriptors.push(fd);
      stdio.push(fd);
    }
    const seccomp = filter ? ['--seccomp', '3'] : [];
    return spawnSync('bwrap', ['--dev-bind', '/', '/', ...seccomp, '--', ...argv], { encoding: 'utf8', stdio });
  };

  it('denies mkdir with EPERM under the filter, and allows it without', () => {
    const denied = join(directory, 'denied');
    const run = sandboxed(['mkdir', denied], mkdirFilter(seccompReturn.errnoEperm));
    expect(run.stderr).toContain('Operation not permitted');
    expect(run.status).not.toBe(0);
    expect(existsSync(denied)).toBe(false);

    const allowed = join(directory, 'allowed');
    const free = sandboxed(['mkdir', allowed]);
    expect(free.stderr).toBe('');
    expect(free.status).toBe(0);
    expect(existsSync(allowed)).toBe(true);
  });

  it('lets the other syscalls of the same command through', () => {
    const file = join(directory, 'touched');
    const run = sandboxed(['touch', file], mkdirFilter(seccompReturn.errnoEperm));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('kills the process on SECCOMP_RET_KILL_PROCESS and reports it as a seccomp audit record in the kernel log', async () => {
    const killed = join(directory, 'killed');
    const run = sandboxed(['mkdir', killed], mkdirFilter(seccompReturn.killProcess));
    expect(run.status).not.toBe(0);
    expect(existsSync(killed)).toBe(false);
    const line = await waitForKernelMessage(
      (message) => message.includes('type=1326') && /comm="mkdir"/.test(message) && /syscall=(83|258) /.test(message),
    );
    expect(line).toMatch(/sig=31/);
  });
});

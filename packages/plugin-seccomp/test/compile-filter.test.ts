import { describe, expect, test } from 'vitest';
import { describeAction, ENOSYS, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRAP } from '../src/actions.js';
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64 } from '../src/arch.js';
import { checkFilter } from '../src/bpf/checker.js';
import { disassembleFilter } from '../src/bpf/disassemble.js';
import { BPF_ABS, BPF_JA, BPF_JMP, BPF_LD, BPF_W } from '../src/bpf/instruction.js';
import { runFilter } from '../src/bpf/interpreter.js';
import { deserializeFilter, serializeFilter } from '../src/bpf/serialize.js';
import { compileFilter } from '../src/compile/compile-filter.js';
import { syscallEntries, syscallNumber } from '../src/syscalls/lookup.js';
import { containerdDefaultProfile } from './support/containerd-profile.js';
import { askOracle } from './support/oracle.js';

const action = (program: Parameters<typeof runFilter>[0], nr: number, args: bigint[] = [], arch = AUDIT_ARCH_X86_64): number => {
  const run = runFilter(program, { nr, arch, args });
  if (!('action' in run)) throw new Error(run.message);
  return run.action;
};

/** Offsets of seccomp_data the filter reads on its path for (nr, x86_64, all arguments 0). */
function offsetsRead(program: Parameters<typeof runFilter>[0], nr: number): Set<number> {
  const read = new Set<number>();
  const words = new Map<number, number>([[0, nr], [4, AUDIT_ARCH_X86_64]]);
  let a = 0;
  for (let pc = 0; ; ) {
    const insn = program[pc]!;
    const cls = insn.code & 0x07;
    if (cls === 0x06) return read;
    if (insn.code === (BPF_LD | BPF_W | BPF_ABS)) {
      read.add(insn.k);
      a = words.get(insn.k) ?? 0;
      pc++;
    } else if (cls === 0x04) {
      a = (a & insn.k) >>> 0;
      pc++;
    } else {
      const op = insn.code & 0xf0;
      if (op === BPF_JA) pc += 1 + insn.k;
      else {
        const taken = op === 0x10 ? a === insn.k : op === 0x20 ? a > insn.k : op === 0x30 ? a >= insn.k : (a & insn.k) !== 0;
        pc += 1 + (taken ? insn.jt : insn.jf);
      }
    }
  }
}

describe('compileFilter', () => {
  const containerd = compileFilter(containerdDefaultProfile('amd64'), 'x86_64');

  test('is deterministic and passes the kernel checker', () => {
    const again = compileFilter(containerdDefaultProfile('amd64'), 'x86_64');
    expect(serializeFilter(again.program).equals(serializeFilter(containerd.program))).toBe(true);
    expect(checkFilter(containerd.program)).toEqual([]);
    expect(deserializeFilter(serializeFilter(containerd.program))).toEqual(containerd.program);
  });

  test('never reads arguments or the instruction pointer on the path of a syscall without argument rules', () => {
    const program = containerd.program;
    const argumentSyscalls = new Set(['socket', 'personality', 'clone'].map((name) => syscallNumber('x86_64', name)));
    for (const [, nr] of syscallEntries('x86_64')) {
      const readsBeyondArch = [...offsetsRead(program, nr)].some((offset) => offset >= 8);
      expect([nr, readsBeyondArch]).toEqual([nr, argumentSyscalls.has(nr)]);
    }
  });

  test('uses a balanced search: containerd default decided within 13 instructions for every syscall', () => {
    let worst = 0;
    for (const [, nr] of syscallEntries('x86_64')) {
      const run = runFilter(containerd.program, { nr, arch: AUDIT_ARCH_X86_64, args: [] });
      if (!('executed' in run)) throw new Error(run.message);
      if (![41, 135, 56].includes(nr)) worst = Math.max(worst, run.executed);
    }
    expect(worst).toBeLessThanOrEqual(13);
  });

  test('foreign architectures and x32 are killed; nr -1 gets the default action', () => {
    expect(action(containerd.program, 0, [], AUDIT_ARCH_AARCH64)).toBe(0);
    expect(action(containerd.program, 0x40000000)).toBe(0);
    expect(action(containerd.program, 0xffffffff)).toBe(SECCOMP_RET_ERRNO | 1);
    expect(action(containerd.program, syscallNumber('x86_64', 'clone3')!)).toBe(SECCOMP_RET_ERRNO | ENOSYS);
  });

  test('overlapping rules of one syscall: the most restrictive matching action wins, in any order', () => {
    const chmod = syscallNumber('x86_64', 'chmod')!;
    for (const order of [0, 1]) {
      const rules = [
        { names: ['chmod'], action: 'SCMP_ACT_ALLOW' as const },
        { names: ['chmod'], action: 'SCMP_ACT_TRAP' as const, args: [{ index: 1, op: 'SCMP_CMP_EQ' as const, value: 0o755 }] },
        { names: ['chmod'], action: 'SCMP_ACT_KILL_PROCESS' as const, args: [{ index: 1, op: 'SCMP_CMP_EQ' as const, value: 0o7777 }] },
      ];
      const { program } = compileFilter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: order ? rules.reverse() : rules }, 'x86_64');
      expect(describeAction(action(program, chmod, [0n, 0o644n]))).toBe('ALLOW');
      expect(action(program, chmod, [0n, 0o755n])).toBe(SECCOMP_RET_TRAP);
      expect(action(program, chmod, [0n, 0o7777n])).toBe(SECCOMP_RET_KILL_PROCESS);
    }
  });

  test('libseccomp differs there: an unconditional rule hides the conditional ones (documented divergence)', () => {
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO' as const,
      syscalls: [
        { names: ['chmod'], action: 'SCMP_ACT_ALLOW' as const },
        { names: ['chmod'], action: 'SCMP_ACT_TRAP' as const, args: [{ index: 1, op: 'SCMP_CMP_EQ' as const, value: 0o755 }] },
      ],
    };
    const { program } = compileFilter(profile, 'x86_64');
    const input = { nr: syscallNumber('x86_64', 'chmod')!, arch: AUDIT_ARCH_X86_64, args: [0n, 0o755n] };
    const [answer] = askOracle([{ profile, arch: 'x86_64', program, inputs: [input] }]);
    expect(answer!.libseccomp[0]).toBe(SECCOMP_RET_ALLOW);
    expect(action(program, input.nr, input.args)).toBe(SECCOMP_RET_TRAP);
  });

  test('unknown names are errors with a suggestion; other ABIs\' names are skipped', () => {
    const result = compileFilter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['fchmodat3', 'chown32', 'read'], action: 'SCMP_ACT_ALLOW' }] }, 'x86_64');
    expect(result.program).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ code: 'seccomp/unknown-syscall', pointer: '/syscalls/0/names/0', message: expect.stringContaining('fchmodat2') })]);
    expect(result.skipped).toEqual([{ name: 'chown32', pointer: '/syscalls/0/names/1', reason: 'not-on-this-arch' }]);
  });

  test('errnoRet on an action without errno is refused, as the runtime-spec requires', () => {
    const result = compileFilter({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }, 'x86_64');
    expect(result.errors.map((e) => e.code)).toEqual(['seccomp/errno-not-supported']);
  });

  test('long programs get trampolines and stay within 8-bit conditional jumps', () => {
    // Every other syscall with a distinct argument rule: a big program whose tree jumps span more than 255.
    const syscalls = syscallEntries('x86_64').filter((_, i) => i % 2 === 0).map(([name], i) => ({
      names: [name], action: 'SCMP_ACT_ERRNO' as const, errnoRet: 1 + (i % 100), args: [{ index: i % 6, op: 'SCMP_CMP_GT' as const, value: 0x100000000 + i }],
    }));
    const { program, errors } = compileFilter({ defaultAction: 'SCMP_ACT_ALLOW', syscalls }, 'x86_64');
    expect(errors).toEqual([]);
    expect(program.length).toBeGreaterThan(1000);
    expect(program.some((insn) => insn.code === (BPF_JMP | BPF_JA) && insn.k > 255)).toBe(true);
    expect(checkFilter(program)).toEqual([]);
    syscalls.forEach((syscall, i) => {
      const nr = syscallNumber('x86_64', syscall.names[0]!)!;
      const args = [0n, 0n, 0n, 0n, 0n, 0n];
      expect(action(program, nr, args)).toBe(SECCOMP_RET_ALLOW);
      args[i % 6] = 0x100000001n + BigInt(i);
      expect(action(program, nr, args)).toBe(SECCOMP_RET_ERRNO | (1 + (i % 100)));
    });
  });

  test('the disassembler names seccomp_data fields and actions', () => {
    const text = disassembleFilter(containerd.program);
    expect(text.split('\n')[0]).toBe('000: ld [4]     ; arch');
    expect(text).toContain('; ALLOW');
    expect(text).toContain('args[0].lo');
  });
});


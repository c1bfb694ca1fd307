import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MAXINSNS, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET,
  BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, bpfClass, bpfOp, type SockFilter,
} from './instruction.js';
import { SECCOMP_DATA_SIZE } from './seccomp-data.js';

export interface FilterProblem {
  code: 'bpf/empty' | 'bpf/too-long' | 'bpf/bad-opcode' | 'bpf/bad-load' | 'bpf/jump-out-of-range' | 'bpf/bad-constant' | 'bpf/uninitialized-memory' | 'bpf/no-return-at-end';
  pc: number;
  message: string;
}

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH];
const CONDITIONAL_JUMPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET];

/** Opcodes seccomp accepts (kernel/seccomp.c seccomp_check_filter, after bpf_check_classic). */
const ALLOWED = new Set<number>([
  BPF_LD | BPF_W | BPF_ABS,
  BPF_LD | BPF_W | BPF_LEN,
  BPF_LDX | BPF_W | BPF_LEN,
  BPF_LD | BPF_IMM,
  BPF_LDX | BPF_IMM,
  BPF_LD | BPF_MEM,
  BPF_LDX | BPF_MEM,
  BPF_ST,
  BPF_STX,
  BPF_RET | BPF_K,
  BPF_RET | BPF_A,
  BPF_MISC | BPF_TAX,
  BPF_MISC | BPF_TXA,
  BPF_ALU | BPF_NEG,
  BPF_JMP | BPF_JA,
  ...ALU_OPS.flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  ...CONDITIONAL_JUMPS.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
]);

/** What the kernel would refuse when the filter is installed; empty when it would load. */
export function checkFilter(program: readonly SockFilter[]): FilterProblem[] {
  const problems: FilterProblem[] = [];
  if (program.length === 0) return [{ code: 'bpf/empty', pc: 0, message: 'a filter needs at least one instruction' }];
  if (program.length > BPF_MAXINSNS) {
    problems.push({ code: 'bpf/too-long', pc: BPF_MAXINSNS, message: `${program.length} instructions; the kernel accepts ${BPF_MAXINSNS}` });
  }
  // Scratch slots written on every path reaching each pc (jumps only go forward, so one pass suffices).
  const written: (number | undefined)[] = new Array(program.length + 1).fill(undefined);
  written[0] = 0;
  const flow = (target: number, slots: number): void => {
    if (target <= program.length) written[target] = written[target] === undefined ? slots : written[target]! & slots;
  };
  program.forEach((insn, pc) => {
    const problem = (code: FilterProblem['code'], message: string): void => void problems.push({ code, pc, message });
    const { code, k } = insn;
    let slots = written[pc];
    const reachable = slots !== undefined;
    slots ??= 0;
    if (!ALLOWED.has(code)) {
      problem('bpf/bad-opcode', `opcode 0x${code.toString(16)} is not allowed in a seccomp filter`);
      return;
    }
    const cls = bpfClass(code);
    if (code === (BPF_LD | BPF_W | BPF_ABS) && (k % 4 !== 0 || k > SECCOMP_DATA_SIZE - 4)) {
      problem('bpf/bad-load', `load offset ${k} is not an aligned word of seccomp_data`);
    }
    if ((code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM) || cls === BPF_ST || cls === BPF_STX) && k >= BPF_MEMWORDS) {
      problem('bpf/bad-load', `scratch slot ${k} is out of range (0..${BPF_MEMWORDS - 1})`);
    } else if ((code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM)) && reachable && (slots & (1 << k)) === 0) {
      problem('bpf/uninitialized-memory', `scratch slot ${k} may be read before it is written`);
    }
    if (cls === BPF_ST || cls === BPF_STX) slots |= 1 << k;
    if (code === (BPF_ALU | BPF_DIV | BPF_K) && k === 0) problem('bpf/bad-constant', 'division by constant zero');
    if ((code === (BPF_ALU | BPF_LSH | BPF_K) || code === (BPF_ALU | BPF_RSH | BPF_K)) && k >= 32) problem('bpf/bad-constant', `shift by ${k}`);
    if (cls === BPF_JMP) {
      if (bpfOp(code) === BPF_JA) {
        if (k >= program.length - pc - 1) problem('bpf/jump-out-of-range', `ja +${k} leaves the program`);
        else flow(pc + 1 + k, slots);
      } else {
        if (pc + 1 + insn.jt >= program.length || pc + 1 + insn.jf >= program.length) {
          problem('bpf/jump-out-of-range', `jt ${insn.jt} / jf ${insn.jf} leave the program`);
        } else {
          flow(pc + 1 + insn.jt, slots);
          flow(pc + 1 + insn.jf, slots);
        }
      }
    } else if (cls !== BPF_RET) {
      flow(pc + 1, slots);
    }
  });
  const last = program.at(-1)!;
  if (bpfClass(last.code) !== BPF_RET) {
    problems.push({ code: 'bpf/no-return-at-end', pc: program.length - 1, message: 'the last instruction must be a RET' });
  }
  return problems;
}

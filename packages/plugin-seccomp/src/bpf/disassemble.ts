import { describeAction } from '../actions.js';
import {
  BPF_A, BPF_ABS, BPF_ALU, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM,
  BPF_MISC, BPF_RET, BPF_ST, BPF_STX, BPF_TAX, BPF_X, bpfClass, bpfMode, bpfOp, bpfSource, type SockFilter,
} from './instruction.js';

const FIELDS: Record<number, string> = { 0: 'nr', 4: 'arch', 8: 'ip.lo', 12: 'ip.hi' };
const ALU_NAMES: Record<number, string> = { 0x00: 'add', 0x10: 'sub', 0x20: 'mul', 0x30: 'div', 0x40: 'or', 0x50: 'and', 0x60: 'lsh', 0x70: 'rsh', 0x80: 'neg', 0x90: 'mod', 0xa0: 'xor' };
const JUMP_NAMES: Record<number, string> = { [BPF_JEQ]: 'jeq', [BPF_JGT]: 'jgt', [BPF_JGE]: 'jge', [BPF_JSET]: 'jset' };

function field(offset: number): string {
  if (FIELDS[offset]) return FIELDS[offset];
  const index = Math.floor((offset - 16) / 8);
  return `args[${index}].${(offset - 16) % 8 === 0 ? 'lo' : 'hi'}`;
}

const hex = (value: number): string => `0x${(value >>> 0).toString(16)}`;

/** One line per instruction, `pc: mnemonic operands` with absolute jump targets and seccomp_data field names. */
export function disassembleFilter(program: readonly SockFilter[]): string {
  const width = String(Math.max(program.length - 1, 0)).length;
  return program
    .map((insn, pc) => `${String(pc).padStart(width, '0')}: ${disassembleInstruction(insn, pc)}`)
    .join('\n');
}

export function disassembleInstruction(insn: SockFilter, pc: number): string {
  const { code, k, jt, jf } = insn;
  const operand = bpfSource(code) === BPF_X ? 'x' : hex(k);
  switch (bpfClass(code)) {
    case BPF_LD:
    case BPF_LDX: {
      const register = bpfClass(code) === BPF_LD ? 'ld' : 'ldx';
      const mode = bpfMode(code);
      if (mode === BPF_ABS) return `${register} [${k}]${' '.repeat(Math.max(1, 6 - String(k).length))}; ${field(k)}`;
      if (mode === BPF_IMM) return `${register} #${hex(k)}`;
      if (mode === BPF_MEM) return `${register} M[${k}]`;
      if (mode === BPF_LEN) return `${register} #len`;
      return `.word ${hex(code)}`;
    }
    case BPF_ST:
      return `st M[${k}]`;
    case BPF_STX:
      return `stx M[${k}]`;
    case BPF_ALU:
      return `${ALU_NAMES[bpfOp(code)] ?? '?'} ${bpfOp(code) === 0x80 ? '' : operand}`.trimEnd();
    case BPF_JMP:
      if (bpfOp(code) === BPF_JA) return `ja ${pc + 1 + k}`;
      return `${JUMP_NAMES[bpfOp(code)] ?? '?'} ${operand} jt ${pc + 1 + jt} jf ${pc + 1 + jf}`;
    case BPF_RET:
      return (code & 0x18) === BPF_A ? 'ret a' : `ret ${hex(k)}${' '.repeat(Math.max(1, 11 - hex(k).length))}; ${describeAction(k)}`;
    case BPF_MISC:
      return (code & 0xf8) === BPF_TAX ? 'tax' : 'txa';
    default:
      return `.word ${hex(code)}`;
  }
}

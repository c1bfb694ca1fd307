import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_LD,
  BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST,
  BPF_STX, BPF_SUB, BPF_TAX, BPF_W, BPF_X, BPF_XOR, bpfClass, bpfMode, bpfOp, bpfSize, bpfSource, type SockFilter,
} from './instruction.js';
import { SECCOMP_DATA_SIZE, type SeccompData } from './seccomp-data.js';

export interface FilterRun {
  /** The u32 the filter returned. */
  action: number;
  /** Instructions executed, the RET included. */
  executed: number;
}

export interface FilterFault {
  code: 'bpf/fault';
  pc: number;
  message: string;
}

/** The 64 bytes of `struct seccomp_data` as 16 little-endian words (x86_64 and aarch64 are little-endian). */
export function seccompDataWords(data: SeccompData): Uint32Array {
  const words = new Uint32Array(SECCOMP_DATA_SIZE / 4);
  words[0] = data.nr >>> 0;
  words[1] = data.arch >>> 0;
  const ip = data.instructionPointer ?? 0n;
  words[2] = Number(ip & 0xffffffffn);
  words[3] = Number((ip >> 32n) & 0xffffffffn);
  for (let i = 0; i < 6; i++) {
    const arg = BigInt.asUintN(64, data.args[i] ?? 0n);
    words[4 + 2 * i] = Number(arg & 0xffffffffn);
    words[5 + 2 * i] = Number(arg >> 32n);
  }
  return words;
}

/**
 * Runs a seccomp filter on one system call the way the kernel's classic-BPF interpreter does, counting instructions.
 * Returns a fault for what the kernel's checker would have refused (run `checkFilter` first to get the reason upfront).
 */
export function runFilter(program: readonly SockFilter[], data: SeccompData): FilterRun | FilterFault {
  const words = seccompDataWords(data);
  const memory = new Uint32Array(BPF_MEMWORDS);
  let a = 0;
  let x = 0;
  let pc = 0;
  let executed = 0;
  const fault = (message: string): FilterFault => ({ code: 'bpf/fault', pc, message });
  while (pc < program.length) {
    const insn = program[pc]!;
    executed++;
    const { code, k } = insn;
    const source = bpfSource(code) === BPF_X ? x : k;
    switch (bpfClass(code)) {
      case BPF_LD:
      case BPF_LDX: {
        const mode = bpfMode(code);
        let value: number;
        if (mode === BPF_ABS && bpfClass(code) === BPF_LD && bpfSize(code) === BPF_W) {
          if (k % 4 !== 0 || k > SECCOMP_DATA_SIZE - 4) return fault(`load of offset ${k} outside seccomp_data`);
          value = words[k / 4]!;
        } else if (mode === BPF_IMM) value = k;
        else if (mode === BPF_MEM) {
          if (k >= BPF_MEMWORDS) return fault(`scratch slot ${k} out of range`);
          value = memory[k]!;
        } else if (mode === BPF_LEN && bpfSize(code) === BPF_W) value = SECCOMP_DATA_SIZE;
        else return fault(`unsupported load 0x${code.toString(16)}`);
        if (bpfClass(code) === BPF_LD) a = value >>> 0;
        else x = value >>> 0;
        pc++;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) return fault(`scratch slot ${k} out of range`);
        memory[k] = bpfClass(code) === BPF_ST ? a : x;
        pc++;
        break;
      case BPF_ALU: {
        const op = bpfOp(code);
        // The kernel ends a filter that divides by a zero X with return value 0.
        if ((op === BPF_DIV || op === BPF_MOD) && source === 0) return { action: 0, executed };
        const result = alu(op, a, source);
        if (result === undefined) return fault(`unsupported ALU op 0x${code.toString(16)}`);
        a = result;
        pc++;
        break;
      }
      case BPF_JMP: {
        const op = bpfOp(code);
        if (op === BPF_JA) {
          pc += 1 + k;
          break;
        }
        let taken: boolean;
        if (op === BPF_JEQ) taken = a === source;
        else if (op === BPF_JGT) taken = a > source;
        else if (op === BPF_JGE) taken = a >= source;
        else if (op === BPF_JSET) taken = (a & source) !== 0;
        else return fault(`unsupported jump 0x${code.toString(16)}`);
        pc += 1 + (taken ? insn.jt : insn.jf);
        break;
      }
      case BPF_RET:
        return { action: (code & 0x18) === BPF_A ? a : k >>> 0, executed };
      case BPF_MISC:
        if ((code & 0xf8) === BPF_TAX) x = a;
        else a = x;
        pc++;
        break;
      default:
        return fault(`unknown instruction class 0x${code.toString(16)}`);
    }
  }
  return fault('ran past the end of the program');
}

function alu(op: number, a: number, source: number): number | undefined {
  switch (op) {
    case BPF_ADD: return (a + source) >>> 0;
    case BPF_SUB: return (a - source) >>> 0;
    case BPF_MUL: return Math.imul(a, source) >>> 0;
    case BPF_DIV: return source === 0 ? undefined : Math.floor(a / source) >>> 0;
    case BPF_MOD: return source === 0 ? undefined : (a % source) >>> 0;
    case BPF_AND: return (a & source) >>> 0;
    case BPF_OR: return (a | source) >>> 0;
    case BPF_XOR: return (a ^ source) >>> 0;
    case BPF_LSH: return source >= 32 ? 0 : (a << source) >>> 0;
    case BPF_RSH: return source >= 32 ? 0 : a >>> source;
    case BPF_NEG: return -a >>> 0;
    default: return undefined;
  }
}

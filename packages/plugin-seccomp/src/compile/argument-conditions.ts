import { BPF_ABS, BPF_ALU, BPF_AND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_W } from '../bpf/instruction.js';
import { argumentWordOffsets } from '../bpf/seccomp-data.js';
import type { Assembler, Label } from './assembler.js';
import type { ArgumentCondition } from './syscall-rules.js';

const WORD = 0xffffffff;
const LOAD_WORD = BPF_LD | BPF_W | BPF_ABS;

const high = (value: bigint): number => Number((value >> 32n) & 0xffffffffn);
const low = (value: bigint): number => Number(value & 0xffffffffn);

/**
 * Emits a 64-bit unsigned comparison of one argument as tests on its 32-bit halves (high word first, the low word only
 * when the high words leave the answer open). Control goes to `pass` or `fail`.
 */
export function emitCondition(asm: Assembler, condition: ArgumentCondition, pass: Label, fail: Label): void {
  const offsets = argumentWordOffsets(condition.index);
  const H = high(condition.value);
  const L = low(condition.value);
  const lowWord = asm.label();
  const load = (offset: number): void => asm.statement(LOAD_WORD, offset);
  const branch = (op: number, k: number, whenTrue: Label, whenFalse: Label): void => asm.branch(BPF_JMP | op | BPF_K, k, whenTrue, whenFalse);

  switch (condition.op) {
    case 'SCMP_CMP_EQ':
      load(offsets.high);
      branch(BPF_JEQ, H, lowWord, fail);
      asm.bind(lowWord);
      load(offsets.low);
      branch(BPF_JEQ, L, pass, fail);
      return;
    case 'SCMP_CMP_NE':
      load(offsets.high);
      branch(BPF_JEQ, H, lowWord, pass);
      asm.bind(lowWord);
      load(offsets.low);
      branch(BPF_JEQ, L, fail, pass);
      return;
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE': {
      load(offsets.high);
      // high > H decides "pass"; high < H decides "fail"; equal high words defer to the low words.
      if (H === WORD) {
        branch(BPF_JEQ, H, lowWord, fail);
      } else {
        const equal = asm.label();
        branch(BPF_JGT, H, pass, H === 0 ? lowWord : equal);
        if (H !== 0) {
          asm.bind(equal);
          branch(BPF_JEQ, H, lowWord, fail);
        }
      }
      asm.bind(lowWord);
      load(offsets.low);
      branch(condition.op === 'SCMP_CMP_GT' ? BPF_JGT : BPF_JGE, L, pass, fail);
      return;
    }
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE': {
      load(offsets.high);
      if (H === 0) {
        branch(BPF_JEQ, 0, lowWord, fail);
      } else {
        const equal = asm.label();
        branch(BPF_JGE, H, H === WORD ? lowWord : equal, pass);
        if (H !== WORD) {
          asm.bind(equal);
          branch(BPF_JEQ, H, lowWord, fail);
        }
      }
      asm.bind(lowWord);
      load(offsets.low);
      // low < L passes (LT); low <= L passes (LE).
      branch(condition.op === 'SCMP_CMP_LT' ? BPF_JGE : BPF_JGT, L, fail, pass);
      return;
    }
    case 'SCMP_CMP_MASKED_EQ': {
      // (arg & mask) == value with value ⊆ mask (resolveProfile masks it); a half whose mask is 0 always matches.
      const halves = [
        { offset: offsets.high, mask: high(condition.mask), value: H },
        { offset: offsets.low, mask: low(condition.mask), value: L },
      ].filter((half) => half.mask !== 0);
      halves.forEach((half, position) => {
        const next = position === halves.length - 1 ? pass : lowWord;
        load(half.offset);
        if (half.value === 0) {
          branch(BPF_JSET, half.mask, fail, next);
        } else if (half.value === half.mask && (half.mask & (half.mask - 1)) === 0) {
          branch(BPF_JSET, half.mask, next, fail);
        } else {
          if (half.mask !== WORD) asm.statement(BPF_ALU | BPF_AND | BPF_K, half.mask);
          branch(BPF_JEQ, half.value, next, fail);
        }
        if (next === lowWord) asm.bind(lowWord);
      });
      if (halves.length === 0) asm.goto(pass);
      return;
    }
  }
}

import { BPF_JA, BPF_JMP, BPF_K, type SockFilter } from '../bpf/instruction.js';

/** A place in the program, bound once with `Assembler.bind`. */
export type Label = number;

type Item =
  | { kind: 'statement'; code: number; k: number }
  | { kind: 'branch'; code: number; k: number; whenTrue: Label; whenFalse: Label }
  | { kind: 'goto'; target: Label };

const MAX_SHORT_JUMP = 255;

/**
 * Builds a classic-BPF program with symbolic, forward-only jump targets. Conditional jumps have 8-bit offsets; when a
 * target is farther than 255 instructions the assembler puts a trampoline (BPF_JA, 32-bit offset) right after the branch.
 */
export class Assembler {
  private readonly items: Item[] = [];
  private readonly bound = new Map<Label, number>();
  private labels = 0;

  label(): Label {
    return this.labels++;
  }

  /** Binds `label` to the next instruction emitted. */
  bind(label: Label): void {
    if (this.bound.has(label)) throw new Error(`label ${label} bound twice`);
    this.bound.set(label, this.items.length);
  }

  statement(code: number, k: number): void {
    this.items.push({ kind: 'statement', code, k: k >>> 0 });
  }

  branch(code: number, k: number, whenTrue: Label, whenFalse: Label): void {
    this.items.push({ kind: 'branch', code, k: k >>> 0, whenTrue, whenFalse });
  }

  goto(target: Label): void {
    this.items.push({ kind: 'goto', target });
  }

  /** Resolves labels, adding trampolines until every conditional offset fits in 8 bits. */
  assemble(): SockFilter[] {
    const { items, bound } = this;
    // Trampolines needed after item i: [for whenTrue, for whenFalse].
    const far = items.map(() => [false, false] as [boolean, boolean]);
    for (;;) {
      const start = positions(items, far);
      const at = (label: Label): number => {
        const item = bound.get(label);
        if (item === undefined) throw new Error(`label ${label} never bound`);
        return start[item]!;
      };
      let changed = false;
      items.forEach((item, i) => {
        if (item.kind !== 'branch') return;
        const flags = far[i]!;
        if (!flags[0] && at(item.whenTrue) - (start[i]! + 1) > MAX_SHORT_JUMP) {
          flags[0] = true;
          changed = true;
        }
        if (!flags[1] && at(item.whenFalse) - (start[i]! + 1) > MAX_SHORT_JUMP) {
          flags[1] = true;
          changed = true;
        }
      });
      if (changed) continue;
      return emit(items, far, start, at);
    }
  }
}

function positions(items: readonly Item[], far: readonly [boolean, boolean][]): number[] {
  const start: number[] = [];
  let pc = 0;
  items.forEach((_, i) => {
    start.push(pc);
    pc += 1 + (far[i]![0] ? 1 : 0) + (far[i]![1] ? 1 : 0);
  });
  start.push(pc);
  return start;
}

function emit(items: readonly Item[], far: readonly [boolean, boolean][], start: readonly number[], at: (label: Label) => number): SockFilter[] {
  const program: SockFilter[] = [];
  items.forEach((item, i) => {
    const pc = start[i]!;
    if (item.kind === 'statement') {
      program.push({ code: item.code, jt: 0, jf: 0, k: item.k });
    } else if (item.kind === 'goto') {
      program.push({ code: BPF_JMP | BPF_JA | BPF_K, jt: 0, jf: 0, k: at(item.target) - (pc + 1) });
    } else {
      const [farTrue, farFalse] = far[i]!;
      // Layout: branch, [ja whenTrue], [ja whenFalse], then the following code.
      const trueSlot = pc + 1;
      const falseSlot = pc + 1 + (farTrue ? 1 : 0);
      const jt = farTrue ? 0 : at(item.whenTrue) - (pc + 1);
      const jf = farFalse ? falseSlot - (pc + 1) : at(item.whenFalse) - (pc + 1);
      if (jt > MAX_SHORT_JUMP || jf > MAX_SHORT_JUMP || jt < 0 || jf < 0) throw new Error(`jump out of range at ${pc}`);
      program.push({ code: item.code, jt, jf, k: item.k });
      if (farTrue) program.push({ code: BPF_JMP | BPF_JA | BPF_K, jt: 0, jf: 0, k: at(item.whenTrue) - (trueSlot + 1) });
      if (farFalse) program.push({ code: BPF_JMP | BPF_JA | BPF_K, jt: 0, jf: 0, k: at(item.whenFalse) - (falseSlot + 1) });
    }
  });
  return program;
}

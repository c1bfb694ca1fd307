import { linuxSeccompSchema, type LinuxSeccomp } from '@armorkit/core/schema';
import { policyError, type PolicyError } from '@armorkit/core';
import { SECCOMP_RET_KILL_THREAD } from '../actions.js';
import { ARCHES, type FilterArch } from '../arch.js';
import { BPF_ABS, BPF_JEQ, BPF_JGE, BPF_JMP, BPF_K, BPF_LD, BPF_MAXINSNS, BPF_RET, BPF_W, type SockFilter } from '../bpf/instruction.js';
import { SECCOMP_DATA_ARCH, SECCOMP_DATA_NR } from '../bpf/seccomp-data.js';
import { emitCondition } from './argument-conditions.js';
import { Assembler, type Label } from './assembler.js';
import { resolveProfile, type SkippedSyscall, type SyscallVerdict } from './syscall-rules.js';
import { buildSearchTree, partition, type SearchTree } from './syscall-tree.js';

/** libseccomp's default bad-arch action (SCMP_ACT_KILL): a call from another ABI kills the thread. */
export const BAD_ARCH_ACTION = SECCOMP_RET_KILL_THREAD;

export interface CompiledFilter {
  /** Empty when there are errors. */
  program: SockFilter[];
  errors: PolicyError[];
  /** Names of other ABIs' system calls that the profile lists and this arch does not have. */
  skipped: SkippedSyscall[];
}

/**
 * Compiles an OCI seccomp profile into a classic-BPF seccomp filter for one architecture.
 *
 * Layout: check the audit arch; load nr; a search tree over runs of syscall numbers with the same outcome; shared
 * returns; then, per syscall whose rules test arguments, its argument tests. Only those last blocks read `args`, so the
 * kernel's action cache (5.11+) sees a constant verdict for every other syscall. Overlapping rules of one syscall resolve
 * to the most restrictive matching action, the kernel's own precedence.
 */
export function compileFilter(profile: LinuxSeccomp, arch: FilterArch): CompiledFilter {
  const parsed = linuxSeccompSchema.safeParse(profile);
  if (!parsed.success) {
    return {
      program: [],
      skipped: [],
      errors: parsed.error.issues.map((issue) =>
        policyError('seccomp/invalid-profile', issue.path.map((segment) => `/${String(segment)}`).join(''), issue.message),
      ),
    };
  }
  const definition = ARCHES[arch];
  const resolved = resolveProfile(parsed.data, arch);
  if (resolved.errors.length > 0) return { program: [], errors: resolved.errors, skipped: resolved.skipped };

  const intervals = partition(
    resolved.verdicts,
    resolved.defaultAction,
    new Set(Object.values(definition.syscalls)),
    definition.foreignAbiFloor === undefined ? undefined : { floor: definition.foreignAbiFloor, action: BAD_ARCH_ACTION },
  );
  const tree = buildSearchTree(intervals);
  const asm = new Assembler();
  const returns = new Map<number, Label>();
  const returnLabel = (value: number): Label => {
    let label = returns.get(value);
    if (label === undefined) {
      label = asm.label();
      returns.set(value, label);
    }
    return label;
  };
  const argumentBlocks: { label: Label; verdict: SyscallVerdict }[] = [];
  const leafLabel = (node: SearchTree & { kind: 'leaf' }): Label => {
    const leaf = node.interval.leaf;
    if (leaf.kind === 'return') return returnLabel(leaf.value);
    const label = asm.label();
    argumentBlocks.push({ label, verdict: leaf.verdict });
    return label;
  };

  asm.statement(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARCH);
  const archMatches = asm.label();
  asm.branch(BPF_JMP | BPF_JEQ | BPF_K, definition.auditArch, archMatches, returnLabel(BAD_ARCH_ACTION));
  asm.bind(archMatches);
  if (tree.kind === 'leaf' && tree.interval.leaf.kind === 'return') {
    asm.statement(BPF_RET | BPF_K, tree.interval.leaf.value);
  } else {
    asm.statement(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR);
    emitTree(asm, tree, leafLabel);
  }
  // Most used returns first keeps the tree's jumps short.
  for (const [value, label] of [...returns].sort((a, b) => usage(intervals, b[0]) - usage(intervals, a[0]) || a[0] - b[0])) {
    asm.bind(label);
    asm.statement(BPF_RET | BPF_K, value);
  }
  for (const { label, verdict } of argumentBlocks) {
    asm.bind(label);
    emitArgumentBlock(asm, verdict, resolved.defaultAction);
  }

  const program = asm.assemble();
  if (program.length > BPF_MAXINSNS) {
    return {
      program: [],
      skipped: resolved.skipped,
      errors: [policyError('seccomp/filter-too-long', '/syscalls', `the filter needs ${program.length} instructions; the kernel accepts ${BPF_MAXINSNS}`)],
    };
  }
  return { program, errors: [], skipped: resolved.skipped };
}

function usage(intervals: ReturnType<typeof partition>, value: number): number {
  return intervals.filter((interval) => interval.leaf.kind === 'return' && interval.leaf.value === value).reduce((sum, interval) => sum + interval.weight, 0);
}

/** Pre-order: a split tests `nr >= at`; its lower half follows, its upper half comes after. Leaves are jump targets. */
function emitTree(asm: Assembler, tree: SearchTree, leafLabel: (leaf: SearchTree & { kind: 'leaf' }) => Label): void {
  if (tree.kind === 'leaf') {
    asm.goto(leafLabel(tree));
    return;
  }
  const target = (subtree: SearchTree): { label: Label; inline: boolean } =>
    subtree.kind === 'leaf' ? { label: leafLabel(subtree), inline: false } : { label: asm.label(), inline: true };
  const above = target(tree.above);
  const below = target(tree.below);
  asm.branch(BPF_JMP | BPF_JGE | BPF_K, tree.at, above.label, below.label);
  if (below.inline) {
    asm.bind(below.label);
    emitTree(asm, tree.below, leafLabel);
  }
  if (above.inline) {
    asm.bind(above.label);
    emitTree(asm, tree.above, leafLabel);
  }
}

/** Rules in order of restrictiveness: the first whose conditions all hold returns its action; none: the default. */
function emitArgumentBlock(asm: Assembler, verdict: SyscallVerdict, defaultAction: number): void {
  for (const rule of verdict.rules) {
    const nextRule = asm.label();
    for (const condition of rule.conditions) {
      const holds = asm.label();
      emitCondition(asm, condition, holds, nextRule);
      asm.bind(holds);
    }
    asm.statement(BPF_RET | BPF_K, rule.action);
    asm.bind(nextRule);
  }
  // An unconditional last rule already returned; nothing falls through to the default.
  if (verdict.rules.at(-1)!.conditions.length > 0) asm.statement(BPF_RET | BPF_K, defaultAction);
}

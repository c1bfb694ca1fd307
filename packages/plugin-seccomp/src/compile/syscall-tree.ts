import type { SyscallVerdict } from './syscall-rules.js';

/** What a range of system call numbers leads to: a fixed return value, or one syscall's argument tests. */
export type Leaf = { kind: 'return'; value: number } | { kind: 'arguments'; verdict: SyscallVerdict };

/** Numbers `start` (inclusive) to `end` (exclusive, up to 2^32) share one leaf. */
export interface Interval {
  start: number;
  end: number;
  leaf: Leaf;
  /** How many known system calls fall inside: what the tree balances. */
  weight: number;
}

export type SearchTree = { kind: 'leaf'; interval: Interval } | { kind: 'split'; at: number; below: SearchTree; above: SearchTree };

const NR_LIMIT = 2 ** 32;

/**
 * Partitions the u32 syscall-number line into maximal runs with one outcome. `foreignFloor` starts a range that belongs
 * to another ABI sharing the audit arch (x32): it gets `foreignAction`, except nr -1, which a tracer uses to skip a call
 * and which libseccomp also leaves to the default action.
 */
export function partition(
  verdicts: readonly SyscallVerdict[],
  defaultAction: number,
  knownNumbers: ReadonlySet<number>,
  foreign?: { floor: number; action: number },
): Interval[] {
  const intervals: Interval[] = [];
  const push = (start: number, end: number, leaf: Leaf): void => {
    if (start >= end) return;
    const last = intervals.at(-1);
    if (last && last.leaf.kind === 'return' && leaf.kind === 'return' && last.leaf.value === leaf.value && last.end === start) {
      last.end = end;
    } else {
      intervals.push({ start, end, leaf, weight: 0 });
    }
  };
  const floor = foreign?.floor ?? NR_LIMIT - 1;
  let next = 0;
  for (const verdict of verdicts) {
    if (verdict.nr >= floor) break;
    push(next, verdict.nr, { kind: 'return', value: defaultAction });
    const first = verdict.rules[0]!;
    push(verdict.nr, verdict.nr + 1, first.conditions.length === 0 ? { kind: 'return', value: first.action } : { kind: 'arguments', verdict });
    next = verdict.nr + 1;
  }
  push(next, floor, { kind: 'return', value: defaultAction });
  if (foreign) push(floor, NR_LIMIT - 1, { kind: 'return', value: foreign.action });
  push(NR_LIMIT - 1, NR_LIMIT, { kind: 'return', value: defaultAction });
  for (const nr of knownNumbers) {
    const interval = intervals.find((candidate) => nr >= candidate.start && nr < candidate.end);
    if (interval) interval.weight++;
  }
  return intervals;
}

/** A search tree over the intervals, each split balancing the known system calls on either side. */
export function buildSearchTree(intervals: readonly Interval[]): SearchTree {
  if (intervals.length === 1) return { kind: 'leaf', interval: intervals[0]! };
  const weights = intervals.map((interval) => Math.max(interval.weight, 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let below = 0;
  let split = 1;
  let bestImbalance = Infinity;
  for (let i = 1; i < intervals.length; i++) {
    below += weights[i - 1]!;
    const imbalance = Math.abs(total - 2 * below);
    if (imbalance < bestImbalance) {
      bestImbalance = imbalance;
      split = i;
    }
  }
  return {
    kind: 'split',
    at: intervals[split]!.start,
    below: buildSearchTree(intervals.slice(0, split)),
    above: buildSearchTree(intervals.slice(split)),
  };
}

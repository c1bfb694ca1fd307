import type { PortInterval } from './table.js';
import { NO_MATCH, type Outcome, type RuleVerdict, addMatch, sameOutcome } from './outcome.js';

/** Every port a rule without ports matches. */
export const ALL_PORTS: readonly PortInterval[] = [[1, 65535]];

export function portInList(port: number, intervals: readonly PortInterval[]): boolean {
  for (const [from, to] of intervals) if (port >= from && port <= to) return true;
  return false;
}

/** Index of the last entry of `starts` (ascending, starts[0] at the lowest key) that is ≤ key. */
export function lastAtOrBelow(starts: ArrayLike<number>, key: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((starts[middle] ?? 0) <= key) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The outcome for each port, for one set of L4 rules: ports cut into intervals on which the same rules match. */
export class PortTable {
  private constructor(
    /** The first port of each interval, ascending from 0. */
    readonly starts: Int32Array,
    readonly outcomes: readonly Outcome[],
  ) {}

  /** `rules` in evaluation order, each with its port intervals. */
  static build(rules: readonly { verdict: RuleVerdict; ports: readonly PortInterval[] }[]): PortTable {
    const cuts = new Set<number>([0]);
    for (const rule of rules) {
      for (const [from, to] of rule.ports) {
        cuts.add(from);
        if (to < 65535) cuts.add(to + 1);
      }
    }
    const points = [...cuts].sort((a, b) => a - b);
    const starts: number[] = [];
    const outcomes: Outcome[] = [];
    for (const point of points) {
      let outcome = NO_MATCH;
      for (const rule of rules) if (portInList(point, rule.ports)) outcome = addMatch(outcome, rule.verdict, false);
      const previous = outcomes[outcomes.length - 1];
      if (previous && sameOutcome(previous, outcome)) continue;
      starts.push(point);
      outcomes.push(outcome);
    }
    return new PortTable(Int32Array.from(starts), outcomes);
  }

  lookup(port: number): Outcome {
    return this.outcomes[lastAtOrBelow(this.starts, port)] ?? NO_MATCH;
  }

  get size(): number {
    return this.starts.length;
  }
}

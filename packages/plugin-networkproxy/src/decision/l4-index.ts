import type { L4Rule, PortInterval } from './table.js';
import { type AddressKey, networkRange } from './addresses.js';
import { NO_MATCH, type Outcome, type RuleVerdict, addMatch } from './outcome.js';
import { ALL_PORTS, PortTable, portInList } from './ports.js';

/** An L4 rule ready to match: its verdict, its key intervals per family (absent: any address) and its ports. */
export interface PreparedL4Rule {
  verdict: RuleVerdict;
  v4?: readonly { start: number; end: number }[];
  v6?: readonly { start: bigint; end: bigint }[];
  /** No networks: every address of both families. */
  anyAddress: boolean;
  ports: readonly PortInterval[];
}

export function prepareL4Rule(rule: L4Rule, verdict: RuleVerdict): PreparedL4Rule {
  const v4: { start: number; end: number }[] = [];
  const v6: { start: bigint; end: bigint }[] = [];
  for (const text of rule.networks ?? []) {
    const range = networkRange(text);
    if (range?.family === 4) v4.push({ start: range.start, end: range.end });
    else if (range?.family === 6) v6.push({ start: range.start, end: range.end });
  }
  return { verdict, v4, v6, anyAddress: rule.networks === undefined, ports: rule.ports ?? ALL_PORTS };
}

/**
 * One family's addresses cut into intervals on which the same rules apply (the cuts are the rules' network bounds),
 * each interval with the port table of its rules: a lookup is two binary searches, however many rules there are.
 */
class FamilyIndex<K extends number | bigint> {
  private constructor(
    private readonly starts: readonly K[],
    private readonly tables: readonly PortTable[],
  ) {}

  static build<K extends number | bigint>(zero: K, rules: readonly PreparedL4Rule[], ranges: (rule: PreparedL4Rule) => readonly { start: K; end: K }[] | undefined): FamilyIndex<K> {
    const events = new Map<K, { open: number[]; close: number[] }>([[zero, { open: [], close: [] }]]);
    const event = (at: K) => {
      let entry = events.get(at);
      if (!entry) events.set(at, (entry = { open: [], close: [] }));
      return entry;
    };
    rules.forEach((rule, order) => {
      if (rule.anyAddress) {
        event(zero).open.push(order);
        return;
      }
      for (const range of ranges(rule) ?? []) {
        event(range.start).open.push(order);
        event(range.end).close.push(order);
      }
    });
    const points = [...events.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // A rule may list overlapping networks: it applies while any of them is open.
    const open = new Map<number, number>();
    const byRules = new Map<string, PortTable>();
    const starts: K[] = [];
    const tables: PortTable[] = [];
    for (const point of points) {
      const entry = events.get(point)!;
      for (const order of entry.close) {
        const count = (open.get(order) ?? 0) - 1;
        if (count > 0) open.set(order, count);
        else open.delete(order);
      }
      for (const order of entry.open) open.set(order, (open.get(order) ?? 0) + 1);
      const active = [...open.keys()].sort((a, b) => a - b);
      const key = active.join(',');
      let table = byRules.get(key);
      if (!table) byRules.set(key, (table = PortTable.build(active.map((order) => rules[order]!))));
      if (tables[tables.length - 1] === table) continue;
      starts.push(point);
      tables.push(table);
    }
    return new FamilyIndex(starts, tables);
  }

  lookup(key: K, port: number): Outcome {
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (starts[middle]! <= key) low = middle;
      else high = middle - 1;
    }
    return this.tables[low]?.lookup(port) ?? NO_MATCH;
  }

  get intervals(): number {
    return this.starts.length;
  }
}

/** The L4 rules of a table, indexed by destination address and port. */
export class L4Index {
  private readonly v4: FamilyIndex<number>;
  private readonly v6: FamilyIndex<bigint>;

  constructor(rules: readonly PreparedL4Rule[]) {
    this.v4 = FamilyIndex.build(0, rules, (rule) => rule.v4);
    this.v6 = FamilyIndex.build(0n, rules, (rule) => rule.v6);
  }

  lookup(address: AddressKey, port: number): Outcome {
    return address.family === 4 ? this.v4.lookup(address.key, port) : this.v6.lookup(address.key, port);
  }

  /** Interval counts, for tests of the index's size. */
  get size(): { v4: number; v6: number } {
    return { v4: this.v4.intervals, v6: this.v6.intervals };
  }
}

/**
 * The same answers by scanning every rule for every lookup: the reference the index is tested against, and the
 * baseline bench/networkproxy-rules.mjs measures it by.
 */
export class L4LinearScan {
  constructor(private readonly rules: readonly PreparedL4Rule[]) {}

  lookup(address: AddressKey, port: number): Outcome {
    let outcome = NO_MATCH;
    for (const rule of this.rules) {
      if (!portInList(port, rule.ports)) continue;
      const ranges: readonly { start: number | bigint; end: number | bigint }[] | undefined = address.family === 4 ? rule.v4 : rule.v6;
      if (!rule.anyAddress && !(ranges ?? []).some((range) => range.start <= address.key && address.key < range.end)) continue;
      outcome = addMatch(outcome, rule.verdict, false);
    }
    return outcome;
  }
}

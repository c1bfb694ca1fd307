import type { Decision } from './facts.js';
import type { L4Rule, PortInterval } from './table.js';
import { type AddressKey, addressKey, fastIpv4, networkRange } from './addresses.js';
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
 * each interval with the port table of its rules, in start order.
 */
function cutIntervals<K extends number | bigint>(zero: K, rules: readonly PreparedL4Rule[], ranges: (rule: PreparedL4Rule) => readonly { start: K; end: K }[] | undefined): { starts: K[]; tables: PortTable[] } {
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
  return { starts, tables };
}

/**
 * IPv4: the interval starts in a Uint32Array, and for each /16 block the range of intervals that overlap it, so a
 * lookup is a short binary search inside one block whatever the number of rules, then one in the interval's port cuts.
 * (A three-level 16-8-8 table instead measured slower: its tables miss the cache.)
 */
class V4Index {
  private readonly starts: Uint32Array;
  /** blockFirst[h]: the interval holding the first address of block h (h = address >>> 16); one past the end too. */
  private readonly blockFirst: Int32Array;
  // The port tables of all intervals in flat arrays (interval i's ports are portStarts[portFirst[i]..portLast[i]]):
  // a lookup touches a few typed arrays, not one object per interval.
  private readonly portFirst: Int32Array;
  private readonly portLast: Int32Array;
  private readonly portStarts: Int32Array;
  readonly outcomes: readonly Outcome[];
  /** The plain-TCP decision of each outcome, made when first asked (a decider owns its index). */
  readonly tcpDecisions: (Decision | undefined)[];

  constructor(rules: readonly PreparedL4Rule[]) {
    const cut = cutIntervals(0, rules, (rule) => rule.v4);
    // A network ending at 255.255.255.255 closes at 2^32, where no address is.
    const count = cut.starts.filter((start) => start < 2 ** 32).length;
    const starts = cut.starts.slice(0, count);
    this.starts = Uint32Array.from(starts);
    this.blockFirst = new Int32Array(65537);
    let interval = 0;
    for (let block = 0; block <= 65536; block++) {
      const first = block * 65536;
      while (interval + 1 < starts.length && starts[interval + 1]! <= first) interval++;
      this.blockFirst[block] = interval;
    }
    const placed = new Map<PortTable, number>();
    const portStarts: number[] = [];
    const outcomes: Outcome[] = [];
    this.portFirst = new Int32Array(count);
    this.portLast = new Int32Array(count);
    cut.tables.slice(0, count).forEach((table, index) => {
      let first = placed.get(table);
      if (first === undefined) {
        placed.set(table, (first = portStarts.length));
        portStarts.push(...table.starts);
        outcomes.push(...table.outcomes);
      }
      this.portFirst[index] = first;
      this.portLast[index] = first + table.starts.length - 1;
    });
    this.portStarts = Int32Array.from(portStarts);
    this.outcomes = outcomes;
    this.tcpDecisions = new Array<Decision | undefined>(outcomes.length).fill(undefined);
  }

  lookup(key: number, port: number): Outcome {
    return this.outcomes[this.entry(key, port)]!;
  }

  /** The index in `outcomes` of the answer for key and port. */
  entry(key: number, port: number): number {
    // Branch-free binary searches: the loops' trip counts depend on the sizes only, the comparisons select.
    const block = key >>> 16;
    let interval = this.blockFirst[block]!;
    const starts = this.starts;
    for (let size = this.blockFirst[block + 1]! - interval + 1; size > 1; ) {
      const half = size >>> 1;
      interval = starts[interval + half]! <= key ? interval + half : interval;
      size -= half;
    }
    let entry = this.portFirst[interval]!;
    const ports = this.portStarts;
    for (let size = this.portLast[interval]! - entry + 1; size > 1; ) {
      const half = size >>> 1;
      entry = ports[entry + half]! <= port ? entry + half : entry;
      size -= half;
    }
    return entry;
  }

  get intervals(): number {
    return this.starts.length;
  }
}

/** IPv6: a binary search over the interval starts. */
class V6Index {
  private readonly starts: readonly bigint[];
  private readonly tables: readonly PortTable[];

  constructor(rules: readonly PreparedL4Rule[]) {
    ({ starts: this.starts, tables: this.tables } = cutIntervals(0n, rules, (rule) => rule.v6));
  }

  lookup(key: bigint, port: number): Outcome {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.starts[middle]! <= key) low = middle;
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
  private readonly v4: V4Index;
  private readonly v6: V6Index;

  constructor(rules: readonly PreparedL4Rule[]) {
    this.v4 = new V4Index(rules);
    this.v6 = new V6Index(rules);
  }

  lookup(address: AddressKey, port: number): Outcome {
    return address.family === 4 ? this.v4.lookup(address.key, port) : this.v6.lookup(address.key, port);
  }

  /** lookup by the address's text (undefined when it is not an address); a dotted quad is read without allocating. */
  /**
   * The plain-TCP decision for an address's text (undefined when it is not an address), `make` turning an outcome into
   * it: for IPv4 kept per index entry, so a decision is one lookup and one array read, without allocating.
   */
  tcpDecision(text: string, port: number, make: (outcome: Outcome) => Decision): Decision | undefined {
    const v4 = fastIpv4(text);
    if (v4 !== undefined) {
      const entry = this.v4.entry(v4, port);
      return (this.v4.tcpDecisions[entry] ??= make(this.v4.outcomes[entry]!));
    }
    const address = addressKey(text);
    return address ? make(this.lookup(address, port)) : undefined;
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

  tcpDecision(text: string, port: number, make: (outcome: Outcome) => Decision): Decision | undefined {
    const address = addressKey(text);
    return address ? make(this.lookup(address, port)) : undefined;
  }

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

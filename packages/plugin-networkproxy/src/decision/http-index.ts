import type { HttpRule, PathMatch, PortInterval } from './table.js';
import { NO_MATCH, type Outcome, type RuleVerdict, addMatch } from './outcome.js';
import { portInList } from './ports.js';

export interface PreparedHttpRule {
  verdict: RuleVerdict;
  hasHosts: boolean;
  ports?: readonly PortInterval[];
  paths?: readonly PathMatch[];
  methods?: readonly string[];
}

export function prepareHttpRule(rule: HttpRule, verdict: RuleVerdict): PreparedHttpRule {
  return {
    verdict,
    hasHosts: rule.hosts !== undefined,
    ...(rule.ports ? { ports: rule.ports } : {}),
    ...(rule.paths ? { paths: rule.paths } : {}),
    ...(rule.methods ? { methods: rule.methods } : {}),
  };
}

/** Names longer than a DNS name (253) are worked out every time rather than kept. */
const MAX_KEPT_NAME = 255;
const MAX_KEPT_NAMES = 1024;

interface Candidate {
  order: number;
  /** The rule matched through a host name (exact or `*.suffix`), not through `*` or the absence of hosts. */
  byName: boolean;
}

const push = (map: Map<string, number[]>, key: string, order: number) => {
  const list = map.get(key);
  if (list) list.push(order);
  else map.set(key, [order]);
};

/**
 * The HTTP rules of a table, found by host: exact names in one map, `*.suffix` wildcards in another looked up by each
 * suffix of the name, rules for any host in a list; the few candidates are then checked for port, method and path.
 */
export class HttpIndex {
  private readonly exact = new Map<string, number[]>();
  private readonly suffix = new Map<string, number[]>();
  private readonly anyHost: number[] = [];
  private readonly withoutHosts: number[] = [];
  /** Candidates already worked out, per name: TLS server names (index 0) and HTTP hosts (1). */
  private readonly known = [new Map<string, readonly Candidate[]>(), new Map<string, readonly Candidate[]>()] as const;

  constructor(
    private readonly rules: readonly PreparedHttpRule[],
    hosts: readonly (readonly string[] | undefined)[],
  ) {
    hosts.forEach((list, order) => {
      if (list === undefined) {
        this.withoutHosts.push(order);
        return;
      }
      for (const host of new Set(list)) {
        if (host === '*') this.anyHost.push(order);
        else if (host.startsWith('*.')) push(this.suffix, host.slice(1), order);
        else push(this.exact, host, order);
      }
    });
  }

  /**
   * Rules whose hosts admit `name` (undefined: no name was sent), in evaluation order; kept per name (a connection's
   * requests mostly name one host), within a bound so that names a client makes up cannot grow it.
   */
  private candidates(name: string | undefined, withoutHosts: boolean): readonly Candidate[] {
    const known = this.known[withoutHosts ? 1 : 0];
    // '' is no name requestHostName gives: it stands for none.
    const key = name ?? '';
    const cached = known.get(key);
    if (cached) return cached;
    const found = this.findCandidates(name, withoutHosts);
    if (key.length <= MAX_KEPT_NAME) {
      if (known.size >= MAX_KEPT_NAMES) known.clear();
      known.set(key, found);
    }
    return found;
  }

  private findCandidates(name: string | undefined, withoutHosts: boolean): readonly Candidate[] {
    const found = new Map<number, boolean>();
    const add = (orders: readonly number[] | undefined, byName: boolean) => {
      for (const order of orders ?? []) found.set(order, (found.get(order) ?? true) && byName);
    };
    if (name !== undefined) {
      add(this.exact.get(name), true);
      // "*.x" matches "a.x" and "a.b.x", never "x" itself.
      for (let dot = name.indexOf('.', 1); dot > 0; dot = name.indexOf('.', dot + 1)) add(this.suffix.get(name.slice(dot)), true);
    }
    add(this.anyHost, false);
    if (withoutHosts) add(this.withoutHosts, false);
    return Object.freeze([...found].sort(([a], [b]) => a - b).map(([order, byName]) => Object.freeze({ order, byName })));
  }

  /** TLS passthrough: vArmor's SNI permissions, the rules' hosts × ports (their paths and methods cannot be seen). */
  matchServerName(name: string | undefined, port: number): Outcome {
    let outcome = NO_MATCH;
    for (const { order, byName } of this.candidates(name, false)) {
      const rule = this.rules[order]!;
      if (rule.ports && !portInList(port, rule.ports)) continue;
      outcome = addMatch(outcome, rule.verdict, byName);
    }
    return outcome;
  }

  /** One HTTP request: host, port, method and path (already normalized). */
  matchRequest(name: string | undefined, port: number, method: string, path: string): Outcome {
    let outcome = NO_MATCH;
    for (const { order, byName } of this.candidates(name, true)) {
      const rule = this.rules[order]!;
      if (rule.ports && !portInList(port, rule.ports)) continue;
      if (rule.methods && !rule.methods.includes(method)) continue;
      if (rule.paths && !rule.paths.some((match) => ('exact' in match ? path === match.exact : path.startsWith(match.prefix)))) continue;
      outcome = addMatch(outcome, rule.verdict, byName);
    }
    return outcome;
  }
}

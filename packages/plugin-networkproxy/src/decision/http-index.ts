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

  /** Rules whose hosts admit `name` (undefined: no name was sent), in evaluation order. */
  private candidates(name: string | undefined, withoutHosts: boolean): Candidate[] {
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
    return [...found].map(([order, byName]) => ({ order, byName })).sort((a, b) => a.order - b.order);
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

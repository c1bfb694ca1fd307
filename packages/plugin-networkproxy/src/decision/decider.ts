import type { Decider, DecidingRule, Decision, TrafficFacts } from './facts.js';
import type { DecisionTable, HttpRule, L4Rule } from './table.js';
import { addressKey } from './addresses.js';
import { HttpIndex, prepareHttpRule } from './http-index.js';
import { L4Index, L4LinearScan, prepareL4Rule } from './l4-index.js';
import { MitmMatcher } from './mitm.js';
import { NO_MATCH, type Outcome, type RuleVerdict, mergeOutcomes } from './outcome.js';
import { normalizeRequestPath, requestHostName } from './request.js';

function verdict(kind: 'l4' | 'http', rule: L4Rule | HttpRule): RuleVerdict {
  const ref: DecidingRule = { kind, index: rule.index, pointer: rule.pointer, ...(rule.description !== undefined ? { description: rule.description } : {}) };
  return { action: rule.action, audit: rule.audit, ref: Object.freeze(ref) };
}

/**
 * vArmor's evaluation order on the rules that matched: a deny rule decides first; then, with defaultAction deny, an
 * allow rule, else the default; with defaultAction allow everything not denied is allowed. With defaultAction deny
 * every denial is audited; otherwise a decision is audited when a matching rule carries `audit`.
 */
function resolve(outcome: Outcome, defaultDeny: boolean, name: string | undefined): Decision {
  if (outcome.deny) return { action: 'deny', audit: defaultDeny || outcome.audited, rule: outcome.deny };
  const allow = outcome.auditAllow ?? outcome.allow;
  if (defaultDeny && !allow) return { action: 'deny', audit: true };
  const decision: Decision = { action: 'allow', audit: outcome.audited };
  if (allow) decision.rule = allow;
  // Only an allow that a name alone granted needs the name checked against the destination (spoofing protection).
  if (defaultDeny && !outcome.allowWithoutName && name !== undefined) decision.allowedByName = name;
  return decision;
}

export interface DeciderOptions {
  /** The configuration's mitm domains: TLS to them is intercepted, and requests in it judged one by one. */
  mitmDomains?: readonly string[];
  /** How L4 rules are looked up: the interval index (default), or a scan of every rule (the index's reference). */
  l4Lookup?: 'index' | 'linear-scan';
}

/**
 * resolve for plain TCP (no name), one frozen object per distinct decision: the index keeps them per entry, and equal
 * decisions are one object, so a decider hands out a few shared objects.
 */
function tcpDecisions(defaultDeny: boolean): (outcome: Outcome) => Decision {
  const made = new Map<string, Decision>();
  return (outcome) => {
    const decision = resolve(outcome, defaultDeny, undefined);
    const key = `${decision.action} ${decision.audit} ${decision.rule ? `${decision.rule.kind}${decision.rule.index}` : ''}`;
    let shared = made.get(key);
    if (!shared) made.set(key, (shared = Object.freeze(decision)));
    return shared;
  };
}

/** A table → its decider: rules indexed once, then every decision pure and synchronous. */
export function createDecider(table: DecisionTable, options: DeciderOptions = {}): Decider {
  const defaultDeny = table.defaultAction === 'deny';
  const prepared = table.l4Rules.map((rule) => prepareL4Rule(rule, verdict('l4', rule)));
  const l4 = options.l4Lookup === 'linear-scan' ? new L4LinearScan(prepared) : new L4Index(prepared);
  const http = new HttpIndex(
    table.httpRules.map((rule) => prepareHttpRule(rule, verdict('http', rule))),
    table.httpRules.map((rule) => rule.hosts),
  );
  const hasHttpRules = table.httpRules.length > 0;
  const mitm = new MitmMatcher(options.mitmDomains ?? []);
  const tcpDecision = tcpDecisions(defaultDeny);
  const refused: Decision = Object.freeze({ action: 'deny', audit: true });
  return {
    decide(facts: TrafficFacts): Decision {
      const port = facts.destination.port;
      if (facts.layer === 'tcp') {
        return l4.tcpDecision(facts.destination.address, port, tcpDecision) ?? refused;
      }
      const address = addressKey(facts.destination.address);
      // The proxy only asks with the address the kernel gave it; anything else is refused rather than guessed at.
      if (!address) return refused;
      const byAddress = l4.lookup(address, port);
      switch (facts.layer) {
        case 'tls': {
          const name = requestHostName(facts.serverName, false);
          // vArmor's MITM chains come before its TLS chain: an intercepted connection is judged request by request.
          const intercept = mitm.enabled ? mitm.interceptFor(name, address) : undefined;
          if (intercept !== undefined) return { action: 'allow', audit: false, intercept };
          const byName = hasHttpRules ? http.matchServerName(name, port) : NO_MATCH;
          return resolve(mergeOutcomes(byAddress, byName), defaultDeny, name);
        }
        case 'http': {
          // No catch-all virtual host in an intercepted connection: a Host of another domain is refused (domain fronting).
          if (facts.tls && mitm.enabled && !mitm.admitsHost(facts.host, facts.mitmDomain)) return refused;
          const name = requestHostName(facts.host, true);
          const byRequest = hasHttpRules ? http.matchRequest(name, port, facts.method, normalizeRequestPath(facts.path)) : NO_MATCH;
          return resolve(mergeOutcomes(byAddress, byRequest), defaultDeny, name);
        }
      }
    },
  };
}

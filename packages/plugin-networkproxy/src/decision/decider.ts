import type { Decider, DecidingRule, Decision, TrafficFacts } from './facts.js';
import type { DecisionTable, HttpRule, L4Rule } from './table.js';
import { addressKey } from './addresses.js';
import { HttpIndex, prepareHttpRule } from './http-index.js';
import { L4Index, prepareL4Rule } from './l4-index.js';
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

/** A table → its decider: rules indexed once, then every decision pure and synchronous. */
export function createDecider(table: DecisionTable): Decider {
  const defaultDeny = table.defaultAction === 'deny';
  const l4 = new L4Index(table.l4Rules.map((rule) => prepareL4Rule(rule, verdict('l4', rule))));
  const http = new HttpIndex(
    table.httpRules.map((rule) => prepareHttpRule(rule, verdict('http', rule))),
    table.httpRules.map((rule) => rule.hosts),
  );
  const hasHttpRules = table.httpRules.length > 0;
  const unknownDestination: Decision = Object.freeze({ action: 'deny', audit: true });
  return {
    decide(facts: TrafficFacts): Decision {
      const address = addressKey(facts.destination.address);
      // The proxy only asks with the address the kernel gave it; anything else is refused rather than guessed at.
      if (!address) return unknownDestination;
      const port = facts.destination.port;
      const byAddress = l4.lookup(address, port);
      switch (facts.layer) {
        case 'tcp':
          return resolve(byAddress, defaultDeny, undefined);
        case 'tls': {
          const name = requestHostName(facts.serverName, false);
          const byName = hasHttpRules ? http.matchServerName(name, port) : NO_MATCH;
          return resolve(mergeOutcomes(byAddress, byName), defaultDeny, name);
        }
        case 'http': {
          const name = requestHostName(facts.host, true);
          const byRequest = hasHttpRules ? http.matchRequest(name, port, facts.method, normalizeRequestPath(facts.path)) : NO_MATCH;
          return resolve(mergeOutcomes(byAddress, byRequest), defaultDeny, name);
        }
      }
    },
  };
}

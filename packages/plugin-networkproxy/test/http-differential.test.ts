import { describe, expect, it } from 'vitest';
import { createDecider } from '../src/decision/decider.js';
import type { Decision } from '../src/decision/facts.js';
import { normalizeRequestPath, requestHostName } from '../src/decision/request.js';
import { type DecisionTable, type HttpRule, decisionTableSchema } from '../src/decision/table.js';
import { http, tls } from './support/decide.js';
import { generator } from './support/random.js';

const NAMES = ['a.test', 'b.a.test', 'c.b.a.test', 'test', 'x.test', 'a.test.evil', 'fd00::1'];
const PATTERNS = [...NAMES, '*.a.test', '*.test', '*.b.a.test', '*'];
const PATHS = ['/', '/admin', '/admin/x', '/public/a', '/adminx'];
const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const some = <T>(random: () => number, list: readonly T[]): T[] => [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, list)))];

function randomTable(random: () => number): DecisionTable {
  const httpRules: HttpRule[] = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, index) => {
    const rule: HttpRule = { index, pointer: `/h/${index}`, action: random() < 0.5 ? 'allow' : 'deny', audit: random() < 0.3 };
    if (random() < 0.8) rule.hosts = some(random, PATTERNS);
    if (random() < 0.3) rule.ports = [[80, 80], [8000, 8080]];
    if (random() < 0.3) rule.methods = some(random, ['GET', 'POST']);
    if (random() < 0.3) rule.paths = some(random, [{ exact: '/admin' }, { prefix: '/admin/' }, { prefix: '/public/' }]);
    if (!rule.hosts && !rule.ports && !rule.methods && !rule.paths) rule.methods = ['GET'];
    return rule;
  });
  return decisionTableSchema.parse({ defaultAction: random() < 0.5 ? 'allow' : 'deny', l4Rules: [], httpRules });
}

/** The semantics written out plainly, rule by rule: the oracle the host index is checked against. */
function reference(table: DecisionTable, layer: 'tls' | 'http', rawName: string | undefined, port: number, method: string, rawPath: string): Decision {
  const name = requestHostName(rawName, layer === 'http');
  const path = normalizeRequestPath(rawPath);
  const hostMatches = (pattern: string) =>
    pattern === '*' || (name !== undefined && (pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) && name !== pattern.slice(2) : name === pattern));
  const matched = table.httpRules.filter((rule) => {
    if (layer === 'tls' && !rule.hosts) return false;
    if (rule.hosts && !rule.hosts.some(hostMatches)) return false;
    if (rule.ports && !rule.ports.some(([from, to]) => port >= from && port <= to)) return false;
    if (layer === 'tls') return true;
    if (rule.methods && !rule.methods.includes(method)) return false;
    return !rule.paths || rule.paths.some((match) => ('exact' in match ? path === match.exact : path.startsWith(match.prefix)));
  });
  const ref = (rule: HttpRule) => ({ kind: 'http' as const, index: rule.index, pointer: rule.pointer });
  const defaultDeny = table.defaultAction === 'deny';
  const audited = matched.some((rule) => rule.audit);
  const deny = matched.find((rule) => rule.action === 'deny');
  if (deny) return { action: 'deny', audit: defaultDeny || audited, rule: ref(deny) };
  const allows = matched.filter((rule) => rule.action === 'allow');
  const allow = allows.find((rule) => rule.audit) ?? allows[0];
  if (defaultDeny && !allow) return { action: 'deny', audit: true };
  const decision: Decision = { action: 'allow', audit: audited };
  if (allow) decision.rule = ref(allow);
  const byNameOnly = allows.every((rule) => rule.hosts !== undefined && !rule.hosts.includes('*'));
  if (defaultDeny && byNameOnly && name !== undefined) decision.allowedByName = name;
  return decision;
}

describe('the host index against a plain reading of the rules', () => {
  it.each([1, 2, 3, 4, 5, 6])('gives the same decisions for random HTTP rules, requests and server names (seed %i)', (seed) => {
    const random = generator(seed * 7919);
    for (let table = 0; table < 40; table++) {
      const rules = randomTable(random);
      const decider = createDecider(rules);
      for (let i = 0; i < 150; i++) {
        const name = random() < 0.1 ? undefined : `${pick(random, ['', 'A.', 'www.'])}${pick(random, NAMES)}${random() < 0.2 ? '.' : ''}`;
        const host = name === undefined ? undefined : name.includes(':') ? `[${name}]${random() < 0.5 ? ':8080' : ''}` : `${name}${random() < 0.3 ? ':8000' : ''}`;
        const port = pick(random, [80, 443, 8000, 8080, 9000]);
        const method = pick(random, ['GET', 'POST', 'get']);
        const path = pick(random, PATHS) + (random() < 0.2 ? '/../admin' : '');
        const address = '203.0.113.7';
        expect(decider.decide(http(address, port, { ...(host !== undefined ? { host } : {}), method, path })), `http ${host} ${port} ${method} ${path}`).toEqual(
          reference(rules, 'http', host, port, method, path),
        );
        expect(decider.decide(tls(address, port, name)), `tls ${name} ${port}`).toEqual(reference(rules, 'tls', name, port, method, path));
      }
    }
  });
});

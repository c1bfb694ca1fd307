import { formatIp } from '@armorkit/core/address';
import { describe, expect, it } from 'vitest';
import { createDecider } from '../src/decision/decider.js';
import type { DecisionTable, L4Rule, PortInterval } from '../src/decision/table.js';
import { decisionTableSchema } from '../src/decision/table.js';
import { tcp } from './support/decide.js';
import { generator } from './support/random.js';

function bytesOf(family: 4 | 6, random: () => number): Uint8Array {
  // Few distinct leading bytes, so that networks nest and overlap and addresses fall into them.
  const bytes = new Uint8Array(16);
  if (family === 4) bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 0);
  const from = family === 4 ? 12 : 0;
  for (let i = from; i < 16; i++) bytes[i] = i - from < 2 ? [0, 10, 192, 255][Math.floor(random() * 4)]! : Math.floor(random() * 256);
  return bytes;
}

function randomTable(random: () => number, count: number): DecisionTable {
  const rules: L4Rule[] = [];
  for (let index = 0; index < count; index++) {
    const family = random() < 0.7 ? 4 : 6;
    const bits = family === 4 ? 32 : 128;
    const networks =
      random() < 0.1 ? undefined : Array.from({ length: 1 + Math.floor(random() * 2) }, () => `${formatIp(bytesOf(family, random))}/${Math.floor(random() * (bits + 1))}`);
    const ports: PortInterval[] | undefined =
      random() < 0.4
        ? undefined
        : Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
            const from = 1 + Math.floor(random() * 1000);
            return [from, random() < 0.5 ? from : Math.min(65535, from + Math.floor(random() * 300))];
          });
    const rule: L4Rule = { index, pointer: `/rules/${index}`, action: random() < 0.5 ? 'allow' : 'deny', audit: random() < 0.3 };
    if (networks) rule.networks = networks;
    if (ports) rule.ports = ports;
    if (!networks && !ports) rule.ports = [[1, 65535]];
    rules.push(rule);
  }
  // Through the schema: the normalized form compile writes (host bits cleared).
  const raw = { defaultAction: random() < 0.5 ? 'allow' : 'deny', l4Rules: rules, httpRules: [] };
  const parsed = decisionTableSchema.parse(raw);
  return parsed;
}

describe('the L4 index against a scan of every rule', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('gives the same decision for random rules and destinations (seed %i)', (seed) => {
    const random = generator(seed);
    const table = randomTable(random, 5 + Math.floor(random() * 120));
    const indexed = createDecider(table);
    const scanned = createDecider(table, { l4Lookup: 'linear-scan' });
    let compared = 0;
    for (let i = 0; i < 4000; i++) {
      const family = random() < 0.7 ? 4 : 6;
      const bytes = bytesOf(family, random);
      // Half of the addresses at a network's edges, where an off-by-one would show.
      const rule = table.l4Rules[Math.floor(random() * table.l4Rules.length)];
      let address = formatIp(bytes);
      const network = rule?.networks?.[0];
      if (network && random() < 0.5) {
        const [base] = network.split('/');
        address = base!;
      }
      const port = random() < 0.3 ? (rule?.ports?.[0]?.[Math.floor(random() * 2)] ?? 1) + (random() < 0.5 ? 0 : 1) : 1 + Math.floor(random() * 1400);
      const facts = tcp(address, Math.min(port, 65535));
      expect(indexed.decide(facts), `${address}:${port}`).toEqual(scanned.decide(facts));
      compared++;
    }
    expect(compared).toBe(4000);
  });

  it('matches the last address of a network and not the one after it', () => {
    const table = decisionTableSchema.parse({
      defaultAction: 'deny',
      l4Rules: [
        { index: 0, pointer: '/0', action: 'allow', audit: false, networks: ['10.0.0.0/8'] },
        { index: 1, pointer: '/1', action: 'allow', audit: false, networks: ['255.255.255.255/32'] },
        { index: 2, pointer: '/2', action: 'allow', audit: false, networks: ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124'] },
      ],
      httpRules: [],
    });
    for (const lookup of ['index', 'linear-scan'] as const) {
      const decider = createDecider(table, { l4Lookup: lookup });
      expect(decider.decide(tcp('10.255.255.255', 1)).action).toBe('allow');
      expect(decider.decide(tcp('11.0.0.0', 1)).action).toBe('deny');
      expect(decider.decide(tcp('9.255.255.255', 1)).action).toBe('deny');
      expect(decider.decide(tcp('255.255.255.255', 1)).action).toBe('allow');
      expect(decider.decide(tcp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 1)).action).toBe('allow');
      expect(decider.decide(tcp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffef', 1)).action).toBe('deny');
    }
  });
});

// Rule evaluation of the NetworkProxy decision table: decide() for plain TCP with 1,000 CIDR rules against one rule
// (and 10,000, to see how the cost grows), and against a linear scan of the same 1,000 rules (createDecider's reference
// lookup). Rounds interleave the cases; each prints the median wall and CPU (user+sys) time per decision, then the
// ratios (target: 1,000 rules ≤ 1.1× one).
// Run after `pnpm exec tsc -b packages/plugin-networkproxy`: node bench/networkproxy-rules.mjs [--rounds N]
import { performance } from 'node:perf_hooks';
import { createDecider } from '@armorkit/plugin-networkproxy/decision';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 9;
const DECISIONS_PER_ROUND = 400_000;

/** mulberry32, so every run measures the same rules and addresses. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(1);
const octet = () => Math.floor(random() * 256);
const address = () => `${10 + Math.floor(random() * 4)}.${octet()}.${octet()}.${octet()}`;

function cidrRule(index) {
  const length = 16 + Math.floor(random() * 17);
  const [a, b, c, d] = address().split('.').map(Number);
  const value = (((a << 24) >>> 0) + (b << 16) + (c << 8) + d) & (length === 0 ? 0 : (~0 << (32 - length)) >>> 0);
  const network = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
  const rule = { index, pointer: `/spec/policy/enhanceProtect/networkProxyRawRules/egress/rules/${index}`, action: random() < 0.2 ? 'deny' : 'allow', audit: random() < 0.1, networks: [`${network}/${length}`] };
  if (random() < 0.5) rule.ports = [[443, 443], [8000, 8100]];
  return rule;
}

const tenThousand = { defaultAction: 'deny', l4Rules: Array.from({ length: 10_000 }, (_, index) => cidrRule(index)), httpRules: [] };
const thousand = { defaultAction: 'deny', l4Rules: tenThousand.l4Rules.slice(0, 1000), httpRules: [] };
const one = { defaultAction: 'deny', l4Rules: [thousand.l4Rules[0]], httpRules: [] };
const facts = Array.from({ length: 4096 }, () => ({ layer: 'tcp', destination: { address: address(), port: random() < 0.5 ? 443 : 1 + Math.floor(random() * 9000), family: 4 } }));
const cases = [
  { name: '1 CIDR rule', decider: createDecider(one) },
  { name: '1,000 CIDR rules', decider: createDecider(thousand) },
  { name: '10,000 CIDR rules', decider: createDecider(tenThousand) },
  { name: '1,000 rules, linear scan', decider: createDecider(thousand, { l4Lookup: 'linear-scan' }), decisions: DECISIONS_PER_ROUND / 50 },
];

let sink = 0;
function measure(decider, count) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) sink += decider.decide(facts[i & 4095]).action === 'allow' ? 1 : 0;
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallNs: (wall * 1e6) / count, cpuNs: ((used.user + used.system) * 1e3) / count };
}

for (const { decider, decisions } of cases) measure(decider, (decisions ?? DECISIONS_PER_ROUND) / 4);
const samples = cases.map(() => ({ wall: [], cpu: [] }));
for (let round = 0; round < rounds; round++) {
  cases.forEach(({ decider, decisions }, index) => {
    const { wallNs, cpuNs } = measure(decider, decisions ?? DECISIONS_PER_ROUND);
    samples[index].wall.push(wallNs);
    samples[index].cpu.push(cpuNs);
  });
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const figures = cases.map(({ name }, index) => ({ name, wall: median(samples[index].wall), cpu: median(samples[index].cpu) }));
const allowed = facts.filter((fact) => cases[1].decider.decide(fact).action === 'allow').length;
console.log(`decide() on plain TCP, ${rounds} interleaved rounds, medians; ${allowed} of ${facts.length} destinations allowed by the 1,000 rules`);
for (const { name, wall, cpu } of figures) console.log(`  ${name.padEnd(26)} ${wall.toFixed(0).padStart(6)} ns wall  ${cpu.toFixed(0).padStart(6)} ns cpu  per decision`);
const [single, indexed, tenfold, scanned] = figures;
console.log(`  1,000 rules / 1 rule:        ${(indexed.wall / single.wall).toFixed(2)}× wall, ${(indexed.cpu / single.cpu).toFixed(2)}× cpu (target ≤ 1.1×)`);
console.log(`  10,000 rules / 1 rule:       ${(tenfold.wall / single.wall).toFixed(2)}× wall, ${(tenfold.cpu / single.cpu).toFixed(2)}× cpu`);
console.log(`  linear scan / 1,000 indexed: ${(scanned.wall / indexed.wall).toFixed(1)}× wall, ${(scanned.cpu / indexed.cpu).toFixed(1)}× cpu`);
if (sink < 0) console.log(sink);

// Parse + validate + resolve throughput over the vArmor corpus (documents/s), and CLI cold start.
// Run after `make` (uses the built dist/): node bench/parse.mjs
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';

const here = new URL('.', import.meta.url).pathname;
const corpusDir = join(here, '../../shared/corpus/varmor');
const files = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ name: f, text: readFileSync(join(corpusDir, f), 'utf8') }));
const engine = createEngine({ plugins: [varmorDialect()], rulePacks: [builtinRules] });

function pass() {
  let documents = 0;
  for (const file of files) {
    const parsed = engine.parse(file.text, file.name);
    documents += parsed.policies.length + parsed.ignored.length;
    for (const policy of parsed.policies) engine.resolve(policy);
  }
  return documents;
}

// Warm up the JIT, then measure whole passes over the corpus.
for (let i = 0; i < 20; i++) pass();
const rounds = [];
for (let r = 0; r < 5; r++) {
  let documents = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) documents += pass();
  rounds.push(documents / ((performance.now() - start) / 1000));
}
rounds.sort((a, b) => a - b);
console.log(`corpus: ${files.length} files`);
console.log(`parse+validate+resolve: median ${Math.round(rounds[2])} documents/s (min ${Math.round(rounds[0])}, max ${Math.round(rounds[4])})`);

// CLI cold start: each sample is a fresh `node` process, timed from spawn to exit. The commands take turns within a
// round, so a burst of load from other work on the machine falls on all of them alike; the figure is the median.
// The policy is the one this benchmark has always used; validate checks it with apparmor_parser as users get it.
// ARMORKIT_BIN=path/to/bin.js measures another build (an earlier one, to compare).
const cli = process.env.ARMORKIT_BIN ?? join(here, '../packages/cli/dist/bin.js');
const policy = join(here, '../examples/policies/web-frontend-apparmor.yaml');
const runs = Number(process.env.COLD_RUNS ?? 15);
const commands = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'armorkit --help', args: [cli, '--help'] },
  { label: 'armorkit validate', args: [cli, 'validate', policy] },
  { label: 'armorkit validate --no-verify', args: [cli, 'validate', '--no-verify', policy] },
];
const samples = commands.map(() => []);
for (let round = 0; round < runs; round++) {
  for (let k = 0; k < commands.length; k++) {
    const i = (round + k) % commands.length;
    const start = performance.now();
    execFileSync(process.execPath, commands[i].args, { stdio: 'ignore' });
    samples[i].push(performance.now() - start);
  }
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const floor = median(samples[0]);
console.log(`cold start of ${relative(join(here, '..'), cli)}, median of ${runs} fresh processes each (policy ${relative(join(here, '..'), policy)}):`);
for (let i = 0; i < commands.length; i++) {
  const value = median(samples[i]);
  const ratio = i === 0 ? '' : ` = ${(value / floor).toFixed(2)}x node -e 0`;
  console.log(`  ${commands[i].label.padEnd(30)} ${value.toFixed(0).padStart(5)} ms (min ${Math.min(...samples[i]).toFixed(0)}, max ${Math.max(...samples[i]).toFixed(0)})${ratio}`);
}

// Parse + validate + resolve throughput over the vArmor corpus (documents/s), and CLI cold start.
// Run after `make` (uses the built dist/): node bench/parse.mjs
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

// CLI cold start: a fresh `node` process per run, against `node -e 0` as the floor.
const cli = join(here, '../packages/cli/dist/bin.js');
const example = join(here, '../examples/policies/web-frontend-apparmor.yaml');
function time(args, runs = 7) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)];
}
const floor = time(['-e', '0']);
const version = time([cli, '--version']);
const validate = time([cli, 'validate', example]);
console.log(`cold start: node -e 0 ${floor.toFixed(0)} ms; armorkit --version ${version.toFixed(0)} ms (${(version / floor).toFixed(1)}x); armorkit validate ${validate.toFixed(0)} ms (${(validate / floor).toFixed(1)}x)`);

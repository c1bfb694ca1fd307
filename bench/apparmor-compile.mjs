// AppArmor compile time per profile for corpus policies, against AlwaysAllow measured in the same run.
// Build first: pnpm exec tsc -b packages/plugin-apparmor
import { readFileSync } from 'node:fs';
import { createEngine, varmorDialect } from '@armorkit/core';
import { builtinRules } from '../packages/builtin-rules/dist/index.js';
import { apparmor } from '../packages/plugin-apparmor/dist/index.js';

const corpus = process.env.ARMORKIT_CORPUS ?? new URL('../../shared/corpus/varmor', import.meta.url).pathname;
const engine = createEngine({ plugins: [varmorDialect(), apparmor()], rulePacks: [builtinRules] });
const files = ['perf__apparmor-always.yaml', 'perf__apparmor-default.yaml', 'perf__apparmor-enhance.yaml', 'ex1__vpol-apparmor-enhance.yaml', 'demo-CVE-2021-22555__policy.yaml'];

function planOf(file) {
  const { policies } = engine.parse(readFileSync(`${corpus}/${file}`, 'utf8'), file);
  return engine.resolve(policies[0]).plan;
}

function measure(plan) {
  const iterations = 2000;
  for (let i = 0; i < 200; i++) engine.compile(plan, ['AppArmor']);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) engine.compile(plan, ['AppArmor']);
  return Number(process.hrtime.bigint() - start) / 1e3 / iterations;
}

const results = files.map((file) => ({ file, microseconds: measure(planOf(file)) }));
const baseline = results[0].microseconds;
for (const { file, microseconds } of results) {
  console.log(`${file.padEnd(40)} ${microseconds.toFixed(1).padStart(8)} µs/profile  ${(microseconds / baseline).toFixed(2)}× AlwaysAllow`);
}

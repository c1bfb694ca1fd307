// Runs the benchmarks of bench/, one after another, each printing its own figures against the baseline it measures in
// the same run, then a line per benchmark with its time and exit status. A benchmark is every bench/*.mjs but this
// runner and the modules others import (those with a .d.mts beside them).
//   node bench/run.mjs [NAME ...]      NAME: a file name without .mjs (`audit`), or several: `audit,parse`
//   make bench [BENCH=audit]
// The fuzzers run a short smoke count here; BENCH_FULL=1 runs them at their own (long) default counts
// (`make bench BENCH=fuzz-policies BENCH_FULL=1`), as their docs describe.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIRECTORY = fileURLToPath(new URL('.', import.meta.url));
/** Arguments for a short run of the long ones (their defaults are 100,000 and 1,000,000 documents). */
const SHORT_ARGUMENTS = {
  'fuzz-policies': ['--count', '2000'],
  'fuzz-apparmor': ['--count', '2000'],
  'k8s-scale': ['--nodes', '500', '--policies', '100'],
};

const benchmarks = readdirSync(BENCH_DIRECTORY)
  .filter((name) => name.endsWith('.mjs') && name !== basename(fileURLToPath(import.meta.url)))
  .filter((name) => !existsSync(join(BENCH_DIRECTORY, name.replace(/\.mjs$/, '.d.mts'))))
  .map((name) => name.replace(/\.mjs$/, ''))
  .sort();

const asked = process.argv.slice(2).flatMap((argument) => argument.split(',')).filter(Boolean);
const unknown = asked.filter((name) => !benchmarks.includes(name));
if (unknown.length > 0) {
  console.error(`bench: no benchmark ${unknown.map((name) => `"${name}"`).join(', ')}; the benchmarks are: ${benchmarks.join(', ')}`);
  process.exit(2);
}
const full = process.env.BENCH_FULL === '1';
const results = [];
for (const name of asked.length > 0 ? asked : benchmarks) {
  const args = full ? [] : (SHORT_ARGUMENTS[name] ?? []);
  console.log(`\n=== bench/${name}.mjs ${args.join(' ')}`.trimEnd());
  const start = performance.now();
  const run = spawnSync(process.execPath, [join(BENCH_DIRECTORY, `${name}.mjs`), ...args], { stdio: 'inherit' });
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const status = run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : run.status === 0 ? 'ok' : `exit ${run.status}`;
  results.push({ name, seconds, status, args });
}
console.log('\n=== bench summary');
for (const { name, seconds, status, args } of results) {
  console.log(`${status === 'ok' ? 'ok  ' : 'FAIL'} ${name.padEnd(18)} ${seconds.padStart(7)} s${args.length > 0 ? `  (short run: ${args.join(' ')}; BENCH_FULL=1 for the full one)` : ''}${status === 'ok' ? '' : `  ${status}`}`);
}
process.exitCode = results.every((result) => result.status === 'ok') ? 0 : 1;

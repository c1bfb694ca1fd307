// Parse + validate + resolve throughput over the vArmor corpus (documents/s), and CLI cold start.
// Run after `make` (uses the built dist/): node bench/parse.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
// CPU is user+sys of each child, from this process's cutime/cstime (/proc/self/stat, in clock ticks): on a shared
// machine it says more than wall time, which also counts the time spent waiting for a core.
const cli = process.env.ARMORKIT_BIN ?? join(here, '../packages/cli/dist/bin.js');
const policy = join(here, '../examples/policies/web-frontend-apparmor.yaml');
const runs = Number(process.env.COLD_RUNS ?? 15);
const commands = [
  { label: 'node -e 0', file: process.execPath, args: ['-e', '0'] },
  { label: 'armorkit --help', file: process.execPath, args: [cli, '--help'] },
  { label: 'armorkit validate', file: process.execPath, args: [cli, 'validate', policy] },
  { label: 'armorkit validate --no-verify', file: process.execPath, args: [cli, 'validate', '--no-verify', policy] },
];
// What validate waits for: apparmor_parser's three checks of the compiled profile, started together as verify does.
const parser = ['/sbin/apparmor_parser', '/usr/sbin/apparmor_parser'].find((path) => existsSync(path));
if (parser) {
  const scratch = mkdtempSync(join(tmpdir(), 'armorkit-bench-'));
  process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
  execFileSync(process.execPath, [cli, 'compile', '--no-verify', '-e', 'apparmor', '-o', scratch, policy], { stdio: 'ignore' });
  const profile = join(scratch, readdirSync(scratch)[0]);
  const check = (extra) => `${parser} -Q -K -T ${extra} ${profile} >/dev/null 2>&1`;
  commands.push({ label: 'apparmor_parser x3 (verify)', file: '/bin/sh', args: ['-c', `${check('')} & ${check('-N -j 1')} & ${check('-p -j 1')} & wait`] });
}
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
/** user+sys of the children this process has waited for, in ms (fields 16 and 17 of /proc/self/stat). */
const childrenCpu = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
};
const samples = commands.map(() => []);
const cpu = commands.map(() => 0);
for (let round = 0; round < runs; round++) {
  for (let k = 0; k < commands.length; k++) {
    const i = (round + k) % commands.length;
    const cpuBefore = childrenCpu();
    const start = performance.now();
    execFileSync(commands[i].file, commands[i].args, { stdio: 'ignore' });
    samples[i].push(performance.now() - start);
    cpu[i] += childrenCpu() - cpuBefore;
  }
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const floor = median(samples[0]);
const cpuFloor = cpu[0] / runs;
console.log(`cold start of ${relative(join(here, '..'), cli)}, median of ${runs} fresh processes each (policy ${relative(join(here, '..'), policy)}), CPU the mean:`);
for (let i = 0; i < commands.length; i++) {
  const value = median(samples[i]);
  const ratio = i === 0 ? '' : ` = ${(value / floor).toFixed(2)}x node -e 0`;
  const cpuMean = cpu[i] / runs;
  const cpuRatio = i === 0 ? '' : ` = ${(cpuMean / cpuFloor).toFixed(2)}x`;
  console.log(
    `  ${commands[i].label.padEnd(30)} ${value.toFixed(0).padStart(5)} ms (min ${Math.min(...samples[i]).toFixed(0)}, max ${Math.max(...samples[i]).toFixed(0)})${ratio}; CPU ${cpuMean.toFixed(0)} ms${cpuRatio}`,
  );
}
console.log(`load average at the end: ${loadavg()[0].toFixed(1)}`);

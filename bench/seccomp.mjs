// Benchmark: armorkit's seccomp filter vs libseccomp 2.5.4's (optimize 1 = default, 2 = binary tree) for containerd's
// default profile on x86_64. Instructions executed per syscall (our interpreter, every syscall both tables know, args 0)
// and kernel cost per call (bench/seccomp/timing.c installs each filter). Needs `pnpm exec tsc -b packages/plugin-seccomp`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  actionValue, compileFilter, runFilter, runtimeDefaultProfile, serializeFilter, syscallEntries, AUDIT_ARCH_X86_64,
} from '@armorkit/plugin-seccomp/filter';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'armorkit-bench-seccomp-'));
const oracle = join(work, 'oracle');
const timing = join(work, 'timing');
execFileSync('gcc', ['-O2', '-o', oracle, join(root, 'packages/plugin-seccomp/test/fixtures/libseccomp-oracle.c'), '-lseccomp']);
execFileSync('gcc', ['-O2', '-o', timing, join(root, 'bench/seccomp/timing.c')]);

const hex = (v) => BigInt.asUintN(64, BigInt(v)).toString(16);
const OPS = { SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7 };

/** libseccomp's program for `profile`, built as runc builds it, at `optimize`. */
function libseccompProgram(profile, optimize) {
  const def = actionValue(profile.defaultAction, profile.defaultErrnoRet ?? 1);
  const rules = [];
  for (const s of profile.syscalls ?? []) {
    const act = actionValue(s.action, s.errnoRet ?? 1);
    if (act === def) continue;
    const args = s.args ?? [];
    const conds = args.map((a) => `${a.index} ${OPS[a.op]} ${hex(a.value)} ${hex(a.op === 'SCMP_CMP_MASKED_EQ' ? a.valueTwo ?? 0 : 0)}`);
    const split = new Set(args.map((a) => a.index)).size !== args.length;
    for (const name of s.names) {
      if (split) for (const c of conds) rules.push(`rule ${hex(act)} ${name} 1 ${c}`);
      else rules.push(`rule ${hex(act)} ${name} ${conds.length} ${conds.join(' ')}`);
    }
  }
  const input = [`profile x86_64 ${hex(def)} ${optimize} ${rules.length}`, ...rules, 'inputs 0', ''].join('\n');
  const lines = execFileSync(oracle, ['export'], { input, encoding: 'utf8' }).trim().split('\n');
  return lines.slice(1).map((l) => { const [code, jt, jf, k] = l.split(' ').map(Number); return { code, jt, jf, k }; });
}

const profile = runtimeDefaultProfile();
const ours = compileFilter(profile, 'x86_64');
if (ours.errors.length) throw new Error(JSON.stringify(ours.errors));
const filters = { armorkit: ours.program, 'libseccomp opt1': libseccompProgram(profile, 1), 'libseccomp opt2': libseccompProgram(profile, 2) };

const known = new Set(execFileSync(oracle, [], { input: `names x86_64 ${syscallEntries('x86_64').length}\n${syscallEntries('x86_64').map(([n]) => n).join('\n')}\n`, encoding: 'utf8' })
  .trim().split('\n').filter((l) => !l.endsWith(' -')).map((l) => l.split(' ')[0]));
const numbers = syscallEntries('x86_64').filter(([name]) => known.has(name)).map(([, nr]) => nr);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const stats = {};
for (const [name, program] of Object.entries(filters)) {
  const executed = numbers.map((nr) => runFilter(program, { nr, arch: AUDIT_ARCH_X86_64, args: [0n, 0n, 0n, 0n, 0n, 0n] }).executed).sort((a, b) => a - b);
  stats[name] = { length: program.length, median: quantile(executed, 0.5), p99: quantile(executed, 0.99), max: executed.at(-1), mean: executed.reduce((s, v) => s + v, 0) / executed.length };
}

const ROUNDS = 7;
const N = Number(process.env.SECCOMP_BENCH_CALLS ?? 400000);
const kernel = {};
for (const [name, program] of [['no filter', null], ...Object.entries(filters)]) {
  let path = 'none';
  if (program) {
    path = join(work, `${name.replace(/\W/g, '_')}.bpf`);
    writeFileSync(path, serializeFilter(program));
  }
  const runs = [];
  for (let r = 0; r < ROUNDS; r++) {
    const out = spawnSync(timing, [path, String(N)], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(out.stderr);
    const [, g, , p, , s] = out.stdout.trim().split(' ').map(Number);
    runs.push({ getppid: g, personality: p, socketClose: s });
  }
  const med = (key) => runs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
  kernel[name] = { getppid: med('getppid'), personality: med('personality'), socketClose: med('socketClose') };
}

console.log(`containerd default profile, x86_64, ${numbers.length} syscalls known to libseccomp 2.5.4\n`);
console.log('filter            length  median  mean   p99  max   (instructions executed per syscall)');
for (const [name, s] of Object.entries(stats)) {
  console.log(`${name.padEnd(16)} ${String(s.length).padStart(7)} ${String(s.median).padStart(7)} ${s.mean.toFixed(1).padStart(5)} ${String(s.p99).padStart(5)} ${String(s.max).padStart(4)}`);
}
const best = Math.min(stats['libseccomp opt1'].median, stats['libseccomp opt2'].median);
console.log(`\nmedian ratio armorkit / best libseccomp = ${(stats.armorkit.median / best).toFixed(2)} (target ≤ 0.80)`);
console.log(`\nkernel ns per call (median of ${ROUNDS} runs × ${N} calls)`);
console.log('filter            getppid  personality(-1)  socket+close');
for (const [name, k] of Object.entries(kernel)) {
  console.log(`${name.padEnd(16)} ${k.getppid.toFixed(1).padStart(8)} ${k.personality.toFixed(1).padStart(16)} ${k.socketClose.toFixed(1).padStart(13)}`);
}
const base = kernel['no filter'];
for (const name of Object.keys(filters)) {
  const k = kernel[name];
  console.log(`${name}: filter overhead personality ${(k.personality - base.personality).toFixed(1)} ns, socket+close ${(k.socketClose - base.socketClose).toFixed(1)} ns`);
}
const ratio = (key) => (kernel.armorkit[key] / Math.min(kernel['libseccomp opt1'][key], kernel['libseccomp opt2'][key])).toFixed(3);
console.log(`in-kernel ratio armorkit / best libseccomp: getppid ${ratio('getppid')}, personality ${ratio('personality')}, socket+close ${ratio('socketClose')}`);

// Benchmark: decoding an auditd log (/var/log/audit/audit.log, log_format=ENRICHED) into ViolationEvents the way
// `armorkit audit FILE` does (the CLI's engine, core's AuditLogDecoder over 1 MB reads, the native scanner on a
// second thread: pushAsync), and the whole command (`armorkit audit FILE > /dev/null`), against `ausearch -i` and
// `ausearch --format raw` (Debian auditd) on the same file, all interleaved in each round so that they see the same load. The same decoding without the native scanner is timed for comparison.
// The log is generated (bench/audit-log.mjs, seeded, so every run reads the same bytes): AppArmor denials as AVC +
// SYSCALL + PROCTITLE records, seccomp LOG/ERRNO/KILL records alone, as the kernel emits them.
// Wall and CPU (user + sys: the whole command and ausearch through GNU time, decoding through process.cpuUsage)
// are printed as medians over the rounds, and bests: on a shared machine CPU time varies less than wall time.
// Needs `pnpm run build-all` and GNU time (Debian `time`). AUDIT_BENCH_LINES changes the size, AUDIT_BENCH_ROUNDS the rounds.
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AuditLineSplitter, AuditLogDecoder, auditRecordDecoder, nativeAuditScannerAvailable } from '@armorkit/core/audit';
import { loadEngine } from '../packages/cli/dist/index.js';
import { appArmorAuditRecord } from '../packages/plugin-apparmor/dist/audit/apparmor-record.js';
import { seccompAuditRecord } from '../packages/plugin-seccomp/dist/audit/seccomp-record.js';
import { auditLog } from './audit-log.mjs';

const LINES = Number(process.env.AUDIT_BENCH_LINES ?? 1_000_000);
/** Rounds (each runs every case once, interleaved); medians and bests are over them. */
const ROUNDS = Number(process.env.AUDIT_BENCH_ROUNDS ?? 5);
/** The read size of `armorkit audit` (packages/cli/src/commands/audit.ts). */
const CHUNK_BYTES = 1 << 20;
const CLI = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
if (process.argv[2] === '--write-log') {
  console.log(JSON.stringify(writeLogFile(process.argv[3])));
  process.exit(0);
}
if (process.argv[2] === '--decode-with') {
  console.log(JSON.stringify(await decodeWith(process.argv[3], process.argv[4])));
  process.exit(0);
}
/**
 * AUDIT_BENCH_BASELINE=DIR (another checkout, built): its decoding is timed in each round too, in a child process
 * as this checkout's is then, so that the two figures come from the same run.
 */
const BASELINE = process.env.AUDIT_BENCH_BASELINE;
const { engine } = await loadEngine({ cwd: tmpdir() });

/** Writes the log at `path`; returns what it holds. */
function writeLogFile(path) {
  const expected = { apparmor: 0, seccomp: 0, lines: 0 };
  const fd = openSync(path, 'w');
  let chunk = [];
  for (const line of auditLog(LINES, expected)) {
    chunk.push(line);
    expected.lines += 1;
    if (chunk.length === 10_000) {
      writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
  closeSync(fd);
  return expected;
}

/** The same in a process of its own, so that a million generated strings are not the measured process's garbage. */
function writeLog(path) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--write-log', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`writing the log failed (exit ${child.status})`);
  return JSON.parse(child.stdout);
}

/**
 * What `armorkit audit FILE` does before attributing and writing events: 1 MB reads, AuditLogDecoder (native: the C
 * scanner; else log-lines.ts) reading the records the engine's plugins declared (engine.auditRecords).
 */
async function decodeFile(path, native = true) {
  const counts = { apparmor: 0, seccomp: 0, lines: 0 };
  const decoder = new AuditLogDecoder(engine.auditRecords, { native });
  const count = (events) => {
    for (const event of events) {
      if (event.enforcer === 'AppArmor') counts.apparmor += 1;
      else counts.seccomp += 1;
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) count(await decoder.pushAsync(chunk));
  count(decoder.end());
  counts.lines = decoder.lines;
  return counts;
}

/**
 * One decoding of `path` with the checkout at `root` (its own dist), as decodeFile does it; before the records were
 * declared (issue 12) the engine had the decodeAudit and decodeAuditFields hooks instead of auditRecords.
 */
async function decodeWith(root, path) {
  // AuditLogDecoder is in @armorkit/core/audit since the entry points were split (issue 12), at the root before.
  const audit = join(root, 'packages/core/dist/entries/audit.js');
  const core = await import(existsSync(audit) ? audit : `${root}/packages/core/dist/index.js`);
  const { engine: own } = await (await import(`${root}/packages/cli/dist/index.js`)).loadEngine({ cwd: tmpdir() });
  const decoder = own.auditRecords
    ? new core.AuditLogDecoder(own.auditRecords)
    : new core.AuditLogDecoder((line) => own.decodeAudit({ line, source: path }), { decodeFields: (fields) => own.decodeAuditFields(fields) });
  let events = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) events += (await decoder.pushAsync(chunk)).length;
  events += decoder.end().length;
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6, events };
}

/** decodeWith in a child process. */
function decodeChild(root, path) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--decode-with', root, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`decoding with ${root} failed (exit ${child.status})`);
  return JSON.parse(child.stdout);
}

/** The same reads and line splitting, auditd types skipped, strings made, nothing decoded: the floor under decodeFile. */
async function splitFile(path) {
  const splitter = new AuditLineSplitter();
  let kept = 0;
  const keep = () => {
    kept += 1;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) splitter.push(chunk, keep);
  splitter.end(keep);
  return kept;
}

/** Wall and CPU seconds of a command run with its output to /dev/null (CPU: user + sys, as GNU time reports it). */
function timed(file, args) {
  const out = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', file, ...args], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(out);
  if (run.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [, user, system] = /cpu (\S+) (\S+)\s*$/.exec(run.stderr) ?? [];
  if (user === undefined) throw new Error(`no CPU time from /usr/bin/time: ${run.stderr}`);
  return { seconds, cpu: Number(user) + Number(system) };
}

/** The whole command, events attributed and written as JSON lines to /dev/null. */
function cliRun(path) {
  return timed(process.execPath, [CLI, 'audit', '--quiet', path]);
}

/** The same read without decoding: what the line splitting alone costs. */
async function readStream(path) {
  let count = 0;
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) if (line.length > 0) count += 1;
  return count;
}

/** Each decoder alone over the lines it is offered, in memory, best of 5 rounds, in ns per line. */
function decoderCost(lines, decode) {
  let best = Infinity;
  let events = 0;
  for (let round = 0; round < 5; round++) {
    events = 0;
    const start = process.hrtime.bigint();
    for (const line of lines) if (decode(line) !== undefined) events += 1;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / lines.length);
  }
  return { nsPerLine: best, events };
}

function ausearch(path, format) {
  return timed('ausearch', [...format, '-if', path]);
}

/** Wall and CPU seconds (this process, all threads) of a task, and its result. */
async function measured(task) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await task();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6, result };
}

const best = (times) => Math.min(...times);
const fmt = (value) => Math.round(value).toLocaleString('en-US');
const work = mkdtempSync(join(tmpdir(), 'armorkit-bench-audit-'));
const path = join(work, 'audit.log');
try {
  const expected = writeLog(path);
  const bytes = statSync(path).size;

  // Each round: armorkit's decoding path, then ausearch on the same file, so that both see the same load.
  if (!nativeAuditScannerAvailable()) throw new Error('the native audit scanner is not built (pnpm run build-all)');
  /** Per case, one { seconds, cpu } per round. */
  const runs = { decode: [], js: [], split: [], read: [], interpret: [], raw: [], cli: [], child: [], baseline: [] };
  const here = fileURLToPath(new URL('..', import.meta.url));
  const check = (what, result) => {
    if (JSON.stringify(result) !== JSON.stringify(expected)) throw new Error(`${what} decoded ${JSON.stringify(result)}, wrote ${JSON.stringify(expected)}`);
  };
  for (let round = 0; round < ROUNDS; round++) {
    if (BASELINE) {
      // Adjacent, alternating which goes first: this checkout's decoding and the baseline's, each in a fresh process.
      const pair = round % 2 === 0 ? [here, BASELINE] : [BASELINE, here];
      for (const root of pair) {
        const run = decodeChild(root, path);
        if (run.events !== expected.apparmor + expected.seccomp) throw new Error(`${root} decoded ${run.events} events`);
        (root === here ? runs.child : runs.baseline).push(run);
      }
    }
    const decoded = await measured(() => decodeFile(path));
    check('decodeFile', decoded.result);
    runs.decode.push(decoded);
    runs.interpret.push(ausearch(path, ['-i']));
    // The whole command between the two ausearch runs of the round, so that its ratios compare like with like.
    runs.cli.push(cliRun(path));
    const js = await measured(() => decodeFile(path, false));
    check('decodeFile without the native scanner', js.result);
    runs.js.push(js);
    runs.raw.push(ausearch(path, ['--format', 'raw']));
    runs.split.push(await measured(() => splitFile(path)));
    runs.read.push(await measured(() => readStream(path)));
  }

  // The first 200,000 lines, each its own string as the tailer makes them, time each decoder alone.
  const head = Buffer.allocUnsafe(64 << 20);
  const fd = openSync(path, 'r');
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const lines = [];
  for (let start = 0, end = head.indexOf(10); end >= 0 && lines.length < 200_000; start = end + 1, end = head.indexOf(10, start)) {
    lines.push(head.toString('utf8', start, end));
  }
  const avc = lines.filter((line) => line.startsWith('type=AVC'));
  const seccomp = lines.filter((line) => line.startsWith('type=SECCOMP'));
  const noise = lines.filter((line) => !line.startsWith('type=AVC') && !line.startsWith('type=SECCOMP'));
  const appArmorRecords = auditRecordDecoder(appArmorAuditRecord);
  const seccompRecords = auditRecordDecoder(seccompAuditRecord);
  const decodeAppArmorRecord = (line) => appArmorRecords.decodeLine(line);
  const decodeSeccompRecord = (line) => seccompRecords.decodeLine(line);
  const costs = [
    ['AppArmor decoder, AVC lines', decoderCost(avc, decodeAppArmorRecord)],
    ['AppArmor decoder, SECCOMP lines (rejects)', decoderCost(seccomp, decodeAppArmorRecord)],
    ['AppArmor decoder, SYSCALL/PROCTITLE (rejects)', decoderCost(noise, decodeAppArmorRecord)],
    ['seccomp decoder, SECCOMP lines', decoderCost(seccomp, decodeSeccompRecord)],
    ['seccomp decoder, AVC lines (rejects)', decoderCost(avc, decodeSeccompRecord)],
    ['seccomp decoder, SYSCALL/PROCTITLE (rejects)', decoderCost(noise, decodeSeccompRecord)],
  ];

  const rate = (time) => expected.lines / time;
  const median = (values) => {
    const sorted = [...values].sort((x, y) => x - y);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const wall = (name) => runs[name].map((run) => run.seconds);
  const cpu = (name) => runs[name].map((run) => run.cpu);
  const rows = [
    ['armorkit audit decoding (AuditLogDecoder)', 'decode'],
    ['  (without the native scanner)', 'js'],
    ['  (JS reads + split + skip + strings only)', 'split'],
    ['  (node:readline alone, for scale)', 'read'],
    ...(BASELINE ? [['decoding, this checkout (child process)', 'child'], ['decoding, baseline checkout (child process)', 'baseline']] : []),
    ['armorkit audit FILE > /dev/null', 'cli'],
    ['ausearch -i -if FILE', 'interpret'],
    ['ausearch --format raw -if FILE', 'raw'],
  ];
  console.log(`audit.log: ${fmt(expected.lines)} lines, ${(bytes / 1e6).toFixed(1)} MB; ${fmt(expected.apparmor)} AVC, ${fmt(expected.seccomp)} SECCOMP, ${fmt(expected.lines - expected.apparmor - expected.seccomp)} SYSCALL/PROCTITLE; node ${process.version}; ${ROUNDS} rounds; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  console.log('');
  console.log(`${'run (whole file; CPU = user + sys, all threads)'.padEnd(48)} ${'wall med'.padStart(9)} ${'CPU med'.padStart(8)} ${'wall best'.padStart(9)} ${'CPU best'.padStart(8)} ${'lines/s (med)'.padStart(13)}`);
  for (const [name, key] of rows) {
    console.log(
      `${name.padEnd(48)} ${median(wall(key)).toFixed(3).padStart(9)} ${median(cpu(key)).toFixed(3).padStart(8)} ${best(wall(key)).toFixed(3).padStart(9)} ${best(cpu(key)).toFixed(3).padStart(8)} ${fmt(rate(median(wall(key)))).padStart(13)}`,
    );
  }
  console.log('');
  console.log(`${'decoder alone (in memory)'.padEnd(48)} ${'ns/line'.padStart(8)} ${'lines/s'.padStart(12)} ${'events'.padStart(9)}`);
  for (const [name, cost] of costs) {
    console.log(`${name.padEnd(48)} ${cost.nsPerLine.toFixed(0).padStart(8)} ${fmt(1e9 / cost.nsPerLine).padStart(12)} ${fmt(cost.events).padStart(9)}`);
  }
  console.log('');
  /** How many times faster `ours` is than `theirs`: medians of wall and CPU time, and each round's wall ratio. */
  const versus = (ours, theirs) => {
    const perRound = runs[ours].map((run, round) => (runs[theirs][round].seconds / run.seconds).toFixed(2)).join(', ');
    return `${(median(wall(theirs)) / median(wall(ours))).toFixed(2)}x wall, ${(median(cpu(theirs)) / median(cpu(ours))).toFixed(2)}x CPU (medians); wall per round ${perRound}`;
  };
  console.log(`decoding vs ausearch -i:                ${versus('decode', 'interpret')}`);
  console.log(`decoding vs ausearch --format raw:      ${versus('decode', 'raw')} (target >= 1x)`);
  if (BASELINE) {
    const change = (values, others) => `${((median(values) / median(others) - 1) * 100).toFixed(1)}%`;
    console.log(
      `decoding, this checkout vs ${BASELINE} (child processes, medians of ${ROUNDS}): wall ${median(wall('child')).toFixed(3)} s vs ${median(wall('baseline')).toFixed(3)} s: ${change(wall('child'), wall('baseline'))} (target <= +10%); CPU ${median(cpu('child')).toFixed(3)} s vs ${median(cpu('baseline')).toFixed(3)} s: ${change(cpu('child'), cpu('baseline'))}; per round ${runs.child.map((run, round) => `${run.seconds.toFixed(3)}/${runs.baseline[round].seconds.toFixed(3)}`).join(', ')}`,
    );
  }
  console.log(`decoding lines/s:                       ${fmt(rate(median(wall('decode'))))} (target >= 500,000)`);
  console.log(`whole command vs ausearch -i:           ${versus('cli', 'interpret')} (target >= 2x; events written as JSON lines)`);
  console.log(`whole command vs ausearch --format raw: ${versus('cli', 'raw')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

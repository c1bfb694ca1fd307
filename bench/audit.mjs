// Benchmark: decoding an auditd log (/var/log/audit/audit.log, log_format=ENRICHED) into ViolationEvents the way
// `armorkit audit FILE` does (the CLI's engine, core's AuditLogDecoder over 1 MB reads, the native scanner on a
// second thread: pushAsync), and the whole command (`armorkit audit FILE > /dev/null`), against `ausearch -i` and
// `ausearch --format raw` (Debian auditd) on the same file, all interleaved in each round so that they see the same load. The same decoding without the native scanner is timed for comparison.
// The log is generated (bench/audit-log.mjs, seeded, so every run reads the same bytes): AppArmor denials as AVC +
// SYSCALL + PROCTITLE records, seccomp LOG/ERRNO/KILL records alone, as the kernel emits them.
// Needs `pnpm exec tsc -b`. AUDIT_BENCH_LINES changes the size.
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
const ROUNDS = 3;
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
  const start = process.hrtime.bigint();
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) events += (await decoder.pushAsync(chunk)).length;
  events += decoder.end().length;
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, events };
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

/** The whole command, events attributed and written as JSON lines to /dev/null. */
function cliRun(path) {
  const out = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, 'audit', '--quiet', path], { stdio: ['ignore', out, 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(out);
  if (run.status !== 0) throw new Error(`armorkit audit exited ${run.status}: ${run.stderr}`);
  return seconds;
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
  const out = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const run = spawnSync('ausearch', [...format, '-if', path], { stdio: ['ignore', out, 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(out);
  if (run.status !== 0) throw new Error(`ausearch ${format.join(' ')} exited ${run.status}: ${run.stderr}`);
  return seconds;
}

async function seconds(task) {
  const start = process.hrtime.bigint();
  const result = await task();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
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
  const decodeTimes = [];
  const jsTimes = [];
  const splitTimes = [];
  const readTimes = [];
  const interpretTimes = [];
  const rawTimes = [];
  const cpuTimes = [];
  const cliTimes = [];
  const childTimes = [];
  const baselineTimes = [];
  const here = fileURLToPath(new URL('..', import.meta.url));
  for (let round = 0; round < ROUNDS; round++) {
    if (BASELINE) {
      // Adjacent, alternating which goes first: this checkout's decoding and the baseline's, each in a fresh process.
      const pair = round % 2 === 0 ? [here, BASELINE] : [BASELINE, here];
      for (const root of pair) {
        const run = decodeChild(root, path);
        if (run.events !== expected.apparmor + expected.seccomp) throw new Error(`${root} decoded ${run.events} events`);
        (root === here ? childTimes : baselineTimes).push(run.seconds);
      }
    }
    const cpu = process.cpuUsage();
    const decoded = await seconds(() => decodeFile(path));
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1e6);
    if (JSON.stringify(decoded.result) !== JSON.stringify(expected)) {
      throw new Error(`decodeFile decoded ${JSON.stringify(decoded.result)}, wrote ${JSON.stringify(expected)}`);
    }
    decodeTimes.push(decoded.seconds);
    interpretTimes.push(ausearch(path, ['-i']));
    // The whole command between the two ausearch runs of the round, so that its ratios compare like with like.
    cliTimes.push(cliRun(path));
    const js = await seconds(() => decodeFile(path, false));
    if (JSON.stringify(js.result) !== JSON.stringify(expected)) throw new Error(`decodeFile without the native scanner decoded ${JSON.stringify(js.result)}`);
    jsTimes.push(js.seconds);
    rawTimes.push(ausearch(path, ['--format', 'raw']));
    splitTimes.push((await seconds(() => splitFile(path))).seconds);
    readTimes.push((await seconds(() => readStream(path))).seconds);
  }
  const cliTime = best(cliTimes);

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
  const rows = [
    ['armorkit audit decoding (AuditLogDecoder)', best(decodeTimes)],
    ['  (its CPU time, all threads)', best(cpuTimes)],
    ['  (without the native scanner)', best(jsTimes)],
    ['  (JS reads + split + skip + strings only)', best(splitTimes)],
    ['  (node:readline alone, for scale)', best(readTimes)],
    ['armorkit audit FILE > /dev/null', cliTime],
    ['ausearch -i -if FILE', best(interpretTimes)],
    ['ausearch --format raw -if FILE', best(rawTimes)],
  ];
  console.log(`audit.log: ${fmt(expected.lines)} lines, ${(bytes / 1e6).toFixed(1)} MB; ${fmt(expected.apparmor)} AVC, ${fmt(expected.seccomp)} SECCOMP, ${fmt(expected.lines - expected.apparmor - expected.seccomp)} SYSCALL/PROCTITLE; node ${process.version}; best of ${ROUNDS}; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  console.log('');
  console.log(`${'run (whole file)'.padEnd(42)} ${'seconds'.padStart(9)} ${'lines/s'.padStart(12)}`);
  for (const [name, time] of rows) console.log(`${name.padEnd(42)} ${time.toFixed(3).padStart(9)} ${name.includes('CPU') ? '' : fmt(rate(time)).padStart(12)}`);
  console.log('');
  console.log(`${'decoder alone (in memory)'.padEnd(48)} ${'ns/line'.padStart(8)} ${'lines/s'.padStart(12)} ${'events'.padStart(9)}`);
  for (const [name, cost] of costs) {
    console.log(`${name.padEnd(48)} ${cost.nsPerLine.toFixed(0).padStart(8)} ${fmt(1e9 / cost.nsPerLine).padStart(12)} ${fmt(cost.events).padStart(9)}`);
  }
  console.log('');
  const ours = rate(best(decodeTimes));
  const ratios = decodeTimes.map((time, round) => (interpretTimes[round] / time).toFixed(1)).join(', ');
  const perRound = (ours, theirs) => ours.map((time, round) => (theirs[round] / time).toFixed(2)).join(', ');
  console.log(`decoding vs ausearch -i:           ${(ours / rate(best(interpretTimes))).toFixed(2)}x; per round ${ratios}`);
  console.log(`decoding vs ausearch --format raw: ${(ours / rate(best(rawTimes))).toFixed(2)}x (target >= 1x); per round ${perRound(decodeTimes, rawTimes)}`);
  if (BASELINE) {
    console.log(`decoding, this checkout vs ${BASELINE} (child processes, best of ${ROUNDS}): ${best(childTimes).toFixed(3)} s vs ${best(baselineTimes).toFixed(3)} s: ${((best(childTimes) / best(baselineTimes) - 1) * 100).toFixed(1)}% (target <= +10%); per round ${childTimes.map((time, round) => `${time.toFixed(3)}/${baselineTimes[round].toFixed(3)}`).join(', ')}`);
  }
  console.log(`decoding lines/s:                  ${fmt(ours)} (target >= 500,000)`);
  console.log(`whole command vs ausearch -i:      ${(best(interpretTimes) / cliTime).toFixed(2)}x (target >= 2x; events written as JSON lines); per round ${perRound(cliTimes, interpretTimes)}`);
  console.log(`whole command vs ausearch --format raw: ${(best(rawTimes) / cliTime).toFixed(2)}x; per round ${perRound(cliTimes, rawTimes)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

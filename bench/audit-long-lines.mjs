// Benchmark: `armorkit audit` on a log that is one line without a line break for 16, 64 and 128 MB (then a newline and
// one AVC record), the attack on a reader that copies its partial line again with every chunk. Lines over
// AUDIT_LINE_MAX_BYTES are skipped without being kept, so the time per MB must stay the same as the line grows: the
// ratio printed is each size's time per MB over the 16 MB line's, measured in the same run (1.0 is linear; the
// baseline, the reader before the cap, takes about 5x as long per MB at 64 MB and 11x at 128 MB). CPU time (all threads, and the whole command's through
// /usr/bin/time) is what the ratios use: on a shared machine it varies far less than wall time, which is printed too.
// Needs `pnpm run build-all` and GNU time (Debian `time`).
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIT_LINE_MAX_BYTES, AuditLogDecoder, nativeAuditScannerAvailable } from '@armorkit/core/audit';
import { loadEngine } from '../packages/cli/dist/index.js';

const SIZES_MB = [16, 64, 128];
const ROUNDS = Number(process.env.AUDIT_BENCH_ROUNDS ?? 5);
/** `armorkit audit` reads files 1 MB at a time; a pipe on standard input gives 64 KiB. */
const FILE_CHUNK = 1 << 20;
const PIPE_CHUNK = 1 << 16;
const MB = 1 << 20;
const CLI = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const AVC =
  'type=AVC msg=audit(1774097632.158:3): apparmor="DENIED" operation="open" class="file" profile="varmor-shop-web" name="/etc/after" pid=4242 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0';

const { engine } = await loadEngine({ cwd: tmpdir() });
const work = mkdtempSync(join(tmpdir(), 'armorkit-long-lines-'));

/** A `type=AVC` line of `mb` MB whose name never ends, then the line break and one ordinary record. */
function writeLog(mb) {
  const path = join(work, `line-${mb}mb.log`);
  const fd = openSync(path, 'w');
  writeSync(fd, 'type=AVC msg=audit(1774097632.158:2): apparmor="DENIED" operation="open" name="/');
  const piece = Buffer.alloc(MB, 0x61);
  for (let i = 0; i < mb; i++) writeSync(fd, piece);
  writeSync(fd, `"\n${AVC}\n`);
  closeSync(fd);
  return path;
}

/** What `armorkit audit` does with the bytes: AuditLogDecoder over reads of `chunkBytes`; returns its counts. */
async function decode(path, { native, breaks = 'newline', chunkBytes = FILE_CHUNK }) {
  let warnings = 0;
  let events = 0;
  const decoder = new AuditLogDecoder(engine.auditRecords, {
    native,
    breaks,
    source: path,
    onWarning: () => (warnings += 1),
  });
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes })) events += (await decoder.pushAsync(chunk)).length;
  events += decoder.end().length;
  if (decoder.native !== native) throw new Error(`the decoder's native scanner: ${decoder.native}, asked for ${native}`);
  return { events, warnings, lines: decoder.lines };
}

/**
 * The baseline: the reader before the cap kept a partial line by copying it together with each new chunk; only that,
 * nothing decoded, on the same reads. Its time per MB grows with the line.
 */
async function concatenatingCarry(path) {
  let carry;
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: FILE_CHUNK })) {
    const joined = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    for (let lineBreak = joined.indexOf(NEWLINE); lineBreak >= 0; lineBreak = joined.indexOf(NEWLINE, start)) {
      lines += 1;
      start = lineBreak + 1;
    }
    carry = start < joined.length ? Buffer.from(joined.subarray(start)) : undefined;
  }
  return { events: 1, warnings: 1, lines };
}
const NEWLINE = 0x0a;

/** The reads alone, nothing split: the floor. */
async function readOnly(path) {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: FILE_CHUNK })) bytes += chunk.length;
  return { events: 1, warnings: 1, lines: 2, bytes };
}

/** Wall and CPU seconds (user + system, every thread of this process) of an in-process run. */
async function seconds(run) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const counts = await run();
  const used = process.cpuUsage(cpu);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  // Every run must have read the same thing: one over-long line skipped with a warning, the record after it decoded.
  if (counts.events !== 1 || counts.warnings !== 1 || counts.lines !== 2) throw new Error(`unexpected result ${JSON.stringify(counts)}`);
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

/** Wall and CPU seconds of `armorkit audit` in a process of its own (its CPU time as GNU time reports it). */
function timed(shellCommand) {
  const start = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'sh', '-c', `exec ${shellCommand}`], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0) throw new Error(`${shellCommand} failed: ${child.stderr}`);
  const [, user, system] = /cpu (\S+) (\S+)\s*$/.exec(child.stderr) ?? [];
  if (user === undefined) throw new Error(`no CPU time from /usr/bin/time: ${child.stderr}`);
  return { wall, cpu: Number(user) + Number(system), stderr: child.stderr };
}

function command(path, stdin) {
  const { wall, cpu, stderr } = timed(`"${process.execPath}" "${CLI}" audit ${stdin ? `- < "${path}"` : `"${path}"`} > /dev/null`);
  if (!/2 line\(s\), 1 violation event\(s\).*1 line\(s\) longer than/.test(stderr)) throw new Error(`unexpected summary: ${stderr}`);
  return { wall, cpu };
}

const cases = [
  ['reads alone (1 MB), for scale', (path) => seconds(() => readOnly(path))],
  ['baseline: concatenating carry (1 MB)', (path) => seconds(() => concatenatingCarry(path))],
  ['AuditLogDecoder, native scanner (1 MB)', (path) => seconds(() => decode(path, { native: true }))],
  ['AuditLogDecoder, JavaScript path (1 MB)', (path) => seconds(() => decode(path, { native: false }))],
  ['AuditLogDecoder, readline breaks (64 KiB)', (path) => seconds(() => decode(path, { native: false, breaks: 'readline', chunkBytes: PIPE_CHUNK }))],
  ['armorkit audit FILE (whole command)', (path) => command(path, false)],
  ['armorkit audit - < FILE (whole command)', (path) => command(path, true)],
];

if (!nativeAuditScannerAvailable()) console.warn('the native scanner is not built: run `pnpm run build-all`');
const startup = join(work, 'one-line.log');
writeFileSync(startup, `${AVC}\n`);
/** The whole command on a one-line file: its start-up (engine, plugins), taken off its time per MB. */
const startupSeconds = () => timed(`"${process.execPath}" "${CLI}" audit --quiet "${startup}" > /dev/null`);

/** Best wall and best CPU time of each case at each size. */
const best = new Map();
const keep = (key, { wall, cpu }) => {
  const [bestWall, bestCpu] = best.get(key) ?? [Infinity, Infinity];
  best.set(key, [Math.min(bestWall, wall), Math.min(bestCpu, cpu)]);
};
try {
  const paths = SIZES_MB.map(writeLog);
  for (const path of paths) await readOnly(path); // into the page cache
  // Rounds interleave every case and size, so that a busy moment of the machine falls on all of them alike.
  for (let round = 0; round < ROUNDS; round++) {
    keep('startup', startupSeconds());
    for (const [i, path] of paths.entries()) for (const [name, run] of cases) keep(`${name}@${SIZES_MB[i]}`, await run(path));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const pad = (text, width) => String(text).padStart(width);
const [startupWall, startupCpu] = best.get('startup');
console.log(
  `one line of 16 / 64 / 128 MB without a line break (cap ${AUDIT_LINE_MAX_BYTES} bytes), then one AVC record; node ${process.version}; best of ${ROUNDS}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`armorkit audit on a one-line file (start-up, taken off the whole command's CPU ms/MB): ${startupWall.toFixed(3)} s, CPU ${startupCpu.toFixed(3)} s\n`);
console.log(`${'run'.padEnd(44)}${SIZES_MB.map((mb) => pad(`${mb} MB s`, 10)).join('')}${SIZES_MB.map((mb) => pad(`CPU ms/MB@${mb}`, 15)).join('')}   CPU ms/MB ratio 64/16, 128/16`);
for (const [name] of cases) {
  const [walls, cpus] = [0, 1].map((k) => SIZES_MB.map((mb) => best.get(`${name}@${mb}`)[k]));
  const floor = name.startsWith('armorkit audit') ? startupCpu : 0;
  const perMb = cpus.map((cpu, i) => ((cpu - floor) * 1000) / SIZES_MB[i]);
  const ratios = perMb.slice(1).map((value) => (value / perMb[0]).toFixed(2));
  console.log(`${name.padEnd(44)}${walls.map((wall) => pad(wall.toFixed(3), 10)).join('')}${perMb.map((value) => pad(value.toFixed(2), 15)).join('')}   ${ratios.join(', ')}`);
}

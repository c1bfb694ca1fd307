// Benchmark: decoding an auditd log (/var/log/audit/audit.log, log_format=ENRICHED) into ViolationEvents with
// armorkit's AppArmor and seccomp decoders, against `ausearch -i` (Debian auditd) on the same file.
// The log is generated (seeded, so every run reads the same bytes): AppArmor denials as AVC + SYSCALL + PROCTITLE
// records, seccomp LOG/ERRNO/KILL records alone, as the kernel emits them. SYSCALL and PROCTITLE lines must be skipped.
// Needs `pnpm exec tsc -b packages/plugin-seccomp packages/plugin-apparmor`. AUDIT_BENCH_LINES changes the size.
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeAppArmorRecord } from '../packages/plugin-apparmor/dist/index.js';
import { decodeSeccompRecord } from '../packages/plugin-seccomp/dist/audit/index.js';

const LINES = Number(process.env.AUDIT_BENCH_LINES ?? 1_000_000);
const ROUNDS = 3;
const SEPARATOR = '\x1d';

/** mulberry32: a small seeded generator, so the log is the same on every run. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(0x5eccc0);
const pick = (list) => list[Math.floor(next() * list.length)];
const int = (low, high) => low + Math.floor(next() * (high - low + 1));

const PROFILES = ['varmor-demo-demo-1', 'varmor-demo-demo-5', 'varmor-cluster-varmor-web', 'cri-containerd.apparmor.d', 'docker-default'];
const PROCESSES = [
  ['cat', '/usr/bin/cat'], ['sh', '/bin/dash'], ['bash', '/usr/bin/bash'], ['curl', '/usr/bin/curl'], ['python3', '/usr/bin/python3.11'],
  ['nginx', '/usr/sbin/nginx'], ['java', '/usr/lib/jvm/java-17-openjdk-amd64/bin/java'], ['node', '/usr/local/bin/node'],
];
const FILES = [
  '/etc/shadow', '/etc/passwd', '/proc/sys/kernel/core_pattern', '/run/secrets/kubernetes.io/serviceaccount/token',
  '/var/run/docker.sock', '/root/.ssh/id_rsa', '/sys/kernel/security/apparmor/profiles', '/proc/1/environ', '/etc/kubernetes/admin.conf',
];
const OPERATIONS = [['open', 'r', 2], ['open', 'w', 257], ['mknod', 'c', 259], ['exec', 'x', 59], ['unlink', 'd', 87]];
// [number, name, seccomp return, sig]
const SYSCALLS = [[41, 'socket'], [165, 'mount'], [272, 'unshare'], [101, 'ptrace'], [321, 'bpf'], [298, 'perf_event_open'], [56, 'clone'], [1, 'write']];
const RETURNS = [['0x7ffc0000', 0], ['0x7ffc0000', 0], ['0x7ffc0000', 0], ['0x50000', 0], ['0x80000000', 31], ['0x0', 31]];
const USERS = [[0, 'root'], [65534, 'nobody'], [1000, 'app']];

const hex = (text) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

/** One audit event's records (1 line for seccomp, 3 for an AppArmor denial); `expected` counts the events. */
function* auditLog(lines, expected) {
  let serial = 1000;
  let millis = 1_717_430_600_000;
  let written = 0;
  while (written < lines) {
    serial += 1;
    millis += int(1, 40);
    const stamp = `audit(${Math.floor(millis / 1000)}.${String(millis % 1000).padStart(3, '0')}:${serial})`;
    const pid = int(300, 4_000_000);
    const [comm, exe] = pick(PROCESSES);
    const profile = pick(PROFILES);
    const [uid, user] = pick(USERS);
    if (next() < 0.5) {
      const [nr, name] = pick(SYSCALLS);
      const [code, sig] = pick(RETURNS);
      const ip = `0x7f${int(0, 0xffffffff).toString(16).padStart(8, '0')}${int(0, 0xffff).toString(16)}`;
      yield `type=SECCOMP msg=${stamp}: auid=4294967295 uid=${uid} gid=${uid} ses=4294967295 subj=${profile} (enforce) pid=${pid} comm="${comm}" exe="${exe}" sig=${sig} arch=c000003e syscall=${nr} compat=0 ip=${ip} code=${code}${SEPARATOR}AUID="unset" UID="${user}" GID="${user}" ARCH=x86_64 SYSCALL=${name}`;
      expected.seccomp += 1;
      written += 1;
      continue;
    }
    const [operation, mask, nr] = pick(OPERATIONS);
    const file = `${pick(FILES)}${next() < 0.3 ? `.${int(0, 99999)}` : ''}`;
    const action = next() < 0.8 ? 'DENIED' : 'AUDIT';
    yield `type=AVC msg=${stamp}: apparmor="${action}" operation="${operation}" class="file" profile="${profile}" name="${file}" pid=${pid} comm="${comm}" requested_mask="${mask}" denied_mask="${mask}" fsuid=${uid} ouid=0${SEPARATOR}FSUID="${user}" OUID="root"`;
    yield `type=SYSCALL msg=${stamp}: arch=c000003e syscall=${nr} success=no exit=-13 a0=ffffff9c a1=7ffd${int(0, 0xffffff).toString(16)} a2=0 a3=0 items=1 ppid=${int(1, 299)} pid=${pid} auid=4294967295 uid=${uid} gid=${uid} euid=${uid} suid=${uid} fsuid=${uid} egid=${uid} sgid=${uid} fsgid=${uid} tty=(none) ses=4294967295 comm="${comm}" exe="${exe}" subj=${profile} (enforce) key=(null)${SEPARATOR}ARCH=x86_64 SYSCALL=openat AUID="unset" UID="${user}" GID="${user}" EUID="${user}" SUID="${user}" FSUID="${user}" EGID="${user}" SGID="${user}" FSGID="${user}"`;
    yield `type=PROCTITLE msg=${stamp}: proctitle=${hex(`${comm}\0${file}`)}`;
    expected.apparmor += 1;
    written += 3;
  }
}

function writeLog(path) {
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

/** Offers a line to the decoders, AppArmor's first, as the engine's decodeAudit bail hook does. */
function count(counts, line) {
  const event = decodeAppArmorRecord(line) ?? decodeSeccompRecord(line);
  if (event === undefined) return;
  if (event.enforcer === 'AppArmor') counts.apparmor += 1;
  else counts.seccomp += 1;
}

const TYPE = Buffer.from('type=');
const DECODED_TYPES = ['AVC ', '1400 ', 'APPARMOR', 'SECCOMP ', '1326 '].map((type) => Buffer.from(type));

/**
 * An auditd line (`type=X msg=audit(...)`) whose record type neither decoder reads (SYSCALL, PROCTITLE, CWD, PATH,
 * ...) is skipped on its bytes, before it becomes a string, as vArmor's tailer skips lines without type=1400/AVC/1326/
 * SECCOMP. Lines of other transports (kern.log, journald) all go to the decoders.
 */
function skippable(buffer, start, end) {
  if (end - start < 12 || !bytesAt(buffer, start, TYPE)) return false;
  for (const type of DECODED_TYPES) if (bytesAt(buffer, start + 5, type)) return false;
  return true;
}

/** True when `bytes` are at `buffer[at]` (Buffer#compare's argument checks cost more than these few bytes). */
function bytesAt(buffer, at, bytes) {
  for (let i = 0; i < bytes.length; i++) if (buffer[at + i] !== bytes[i]) return false;
  return true;
}

/** A tailer: reads the file in large chunks, splits lines on the bytes, decodes the lines that can hold a record. */
async function decodeTail(path) {
  const counts = { apparmor: 0, seccomp: 0, lines: 0 };
  const handle = await open(path, 'r');
  let buffer = Buffer.allocUnsafe(1 << 22);
  let filled = 0;
  try {
    for (;;) {
      if (filled === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      // At the end of the file a tailer waits for more; the benchmark stops.
      if (bytesRead === 0) break;
      const end = filled + bytesRead;
      let start = 0;
      for (let newline = buffer.indexOf(10, start); newline >= 0 && newline < end; newline = buffer.indexOf(10, start)) {
        counts.lines += 1;
        if (!skippable(buffer, start, newline)) count(counts, buffer.toString('utf8', start, newline));
        start = newline + 1;
      }
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
    }
  } finally {
    await handle.close();
  }
  return counts;
}

/** The simplest tailer: node:readline over a read stream, every line to the decoders. */
async function decodeReadline(path) {
  const counts = { apparmor: 0, seccomp: 0, lines: 0 };
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) {
    counts.lines += 1;
    count(counts, line);
  }
  return counts;
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
const work = mkdtempSync(join(tmpdir(), 'armorkit-bench-audit-'));
const path = join(work, 'audit.log');
try {
  const expected = writeLog(path);
  const bytes = statSync(path).size;

  const tailTimes = [];
  const readlineTimes = [];
  const readTimes = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [decode, times] of [[decodeTail, tailTimes], [decodeReadline, readlineTimes]]) {
      const decoded = await seconds(() => decode(path));
      if (JSON.stringify(decoded.result) !== JSON.stringify(expected)) {
        throw new Error(`${decode.name} decoded ${JSON.stringify(decoded.result)}, wrote ${JSON.stringify(expected)}`);
      }
      times.push(decoded.seconds);
    }
    readTimes.push((await seconds(() => readStream(path))).seconds);
  }
  const interpretTimes = [];
  const rawTimes = [];
  for (let round = 0; round < ROUNDS; round++) {
    interpretTimes.push(ausearch(path, ['-i']));
    rawTimes.push(ausearch(path, ['--format', 'raw']));
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
  const costs = [
    ['AppArmor decoder, AVC lines', decoderCost(avc, decodeAppArmorRecord)],
    ['AppArmor decoder, SECCOMP lines (rejects)', decoderCost(seccomp, decodeAppArmorRecord)],
    ['AppArmor decoder, SYSCALL/PROCTITLE (rejects)', decoderCost(noise, decodeAppArmorRecord)],
    ['seccomp decoder, SECCOMP lines', decoderCost(seccomp, decodeSeccompRecord)],
    ['seccomp decoder, AVC lines (rejects)', decoderCost(avc, decodeSeccompRecord)],
    ['seccomp decoder, SYSCALL/PROCTITLE (rejects)', decoderCost(noise, decodeSeccompRecord)],
  ];

  const rate = (time) => expected.lines / time;
  const fmt = (value) => Math.round(value).toLocaleString('en-US');
  const rows = [
    ['armorkit: chunked tailer + decoders', best(tailTimes)],
    ['armorkit: readline + decoders', best(readlineTimes)],
    ['  (readline alone, no decoding)', best(readTimes)],
    ['ausearch -i -if FILE', best(interpretTimes)],
    ['ausearch --format raw -if FILE', best(rawTimes)],
  ];
  console.log(`audit.log: ${fmt(expected.lines)} lines, ${(bytes / 1e6).toFixed(1)} MB; ${fmt(expected.apparmor)} AVC, ${fmt(expected.seccomp)} SECCOMP, ${fmt(expected.lines - expected.apparmor - expected.seccomp)} SYSCALL/PROCTITLE; node ${process.version}; best of ${ROUNDS}`);
  console.log('');
  console.log(`${'run (whole file)'.padEnd(40)} ${'seconds'.padStart(9)} ${'lines/s'.padStart(12)}`);
  for (const [name, time] of rows) console.log(`${name.padEnd(40)} ${time.toFixed(3).padStart(9)} ${fmt(rate(time)).padStart(12)}`);
  console.log('');
  console.log(`${'decoder alone (in memory)'.padEnd(48)} ${'ns/line'.padStart(8)} ${'lines/s'.padStart(12)} ${'events'.padStart(9)}`);
  for (const [name, cost] of costs) {
    console.log(`${name.padEnd(48)} ${cost.nsPerLine.toFixed(0).padStart(8)} ${fmt(1e9 / cost.nsPerLine).padStart(12)} ${fmt(cost.events).padStart(9)}`);
  }
  console.log('');
  const ours = rate(best(tailTimes));
  console.log(`armorkit vs ausearch -i:           ${(ours / rate(best(interpretTimes))).toFixed(1)}x (target >= 10x)`);
  console.log(`armorkit vs ausearch --format raw: ${(ours / rate(best(rawTimes))).toFixed(1)}x`);
  console.log(`armorkit lines/s:                  ${fmt(ours)} (target >= 500,000)`);
  console.log(`readline variant vs ausearch -i:   ${(rate(best(readlineTimes)) / rate(best(interpretTimes))).toFixed(1)}x`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

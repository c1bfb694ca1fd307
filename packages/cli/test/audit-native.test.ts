// The native audit scanner (packages/core/native/audit-scan.c through koffi) against the JavaScript path it speeds up:
// for any bytes, cut into chunks anywhere, AuditLogDecoder with the native scanner and the records the engine's plugins declared
// must give exactly the events (same JSON, same key order, same undefined fields), the over-long line warnings and the
// line count of `{ native: false }`, whether fed through push, pushAsync (+ flush/end) or both.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_LINE_MAX_BYTES, type AuditFields, type AuditLineWarning, AuditLogDecoder, type AuditRecordDecoder, nativeAuditScannerAvailable, type ViolationEvent } from '@armorkit/core/audit';
import type { Engine } from '@armorkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The benchmark's generator (plain JavaScript, typed by bench/audit-log.d.mts), shared with bench/audit.mjs.
import { auditLog, exactJson, fuzzedVariants, random } from '../../../bench/audit-log.mjs';
import { LabelCache } from '../../core/src/audit/label-cache.js';
import { AuditRecordReader, READ_THE_LINE } from '../../core/src/audit/record-reader.js';
import { appArmorAuditRecord } from '../../plugin-apparmor/src/audit/apparmor-record.js';
import { seccompAuditRecord } from '../../plugin-seccomp/src/audit/seccomp-record.js';
import { loadEngine } from '../src/index.js';

const generate = auditLog;
const fuzz = fuzzedVariants;
const exact = exactJson;
const seeded = random;

const REPO = new URL('../../../', import.meta.url).pathname;
const SAMPLES = join(REPO, '../shared/corpus/audit/samples.log');
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-audit-native-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let engine: Engine;
beforeAll(async () => {
  // An empty directory: no armorkit.config.* is picked up, only the installed plugins (AppArmor, seccomp, ...).
  engine = (await loadEngine({ cwd: scratch })).engine;
});

const decodeLine = (line: string): ViolationEvent | undefined => engine.decodeAudit({ line, source: 'audit.log' });
const decodeFields = (fields: AuditFields): ViolationEvent | undefined => engine.auditRecords.decodeFields(fields);
/** The engine's records, with `onFields` told of each record the native scanner split. */
const watched = (onFields: (fields: AuditFields) => void): AuditRecordDecoder => ({
  decodeLine,
  decodeFields: (fields) => {
    onFields(fields);
    return decodeFields(fields);
  },
});

/** The warnings each decoder of newDecoder gave, in order. */
const warningsOf = new WeakMap<AuditLogDecoder, AuditLineWarning[]>();

function newDecoder(native: boolean): AuditLogDecoder {
  const warnings: AuditLineWarning[] = [];
  const decoder = new AuditLogDecoder({ decodeLine, decodeFields }, { native, source: 'audit.log', onWarning: (warning) => warnings.push(warning) });
  warningsOf.set(decoder, warnings);
  return decoder;
}

function nativeDecoder(): AuditLogDecoder {
  const decoder = newDecoder(true);
  if (!decoder.native) throw new Error('AuditLogDecoder did not take the native scanner although it is available');
  return decoder;
}

/** What a run gave: each event as exact JSON, each over-long line warning as JSON, and `decoder.lines` at the end. */
interface Outcome {
  events: string[];
  warnings: string[];
  lines: number;
}

const outcome = (events: ViolationEvent[], decoder: AuditLogDecoder): Outcome => {
  expect(decoder.overLongLines).toBe((warningsOf.get(decoder) ?? []).length);
  return { events: events.map(exact), warnings: (warningsOf.get(decoder) ?? []).map((warning) => JSON.stringify(warning)), lines: decoder.lines };
};

/** The reference: the JavaScript path (log-lines.ts and the string decoders), everything in one push. */
function reference(input: Buffer): Outcome {
  const decoder = newDecoder(false);
  expect(decoder.native).toBe(false);
  const events = [...decoder.push(input), ...decoder.end()];
  return outcome(events, decoder);
}

const pieces = (input: Buffer, size: number): Buffer[] => {
  const out: Buffer[] = [];
  for (let at = 0; at < input.length; at += size) out.push(input.subarray(at, at + size));
  return out;
};

function pushed(input: Buffer, size: number): Outcome {
  const decoder = nativeDecoder();
  const events: ViolationEvent[] = [];
  for (const piece of pieces(input, size)) events.push(...decoder.push(piece));
  events.push(...decoder.end());
  return outcome(events, decoder);
}

async function pushedAsync(input: Buffer, size: number): Promise<Outcome> {
  const decoder = nativeDecoder();
  const events: ViolationEvent[] = [];
  for (const piece of pieces(input, size)) events.push(...(await decoder.pushAsync(piece)));
  events.push(...decoder.end());
  return outcome(events, decoder);
}

/**
 * Chunks of random sizes (1 byte to 256 KiB, at least `minChunk`; an empty one now and then) through pushAsync, with
 * flush() at random points; with `mixed`, some chunks through push instead.
 */
async function randomly(input: Buffer, seed: number, minChunk: number, mixed: boolean): Promise<Outcome> {
  const next = seeded(seed);
  const decoder = nativeDecoder();
  const events: ViolationEvent[] = [];
  for (let at = 0; at < input.length; ) {
    const size = Math.max(minChunk, Math.floor(2 ** (next() * 18)));
    const piece = input.subarray(at, at + size);
    at += size;
    if (next() < 0.05) events.push(...(mixed && next() < 0.5 ? decoder.push(Buffer.alloc(0)) : await decoder.pushAsync(Buffer.alloc(0))));
    if (mixed && next() < 0.3) events.push(...decoder.push(piece));
    else events.push(...(await decoder.pushAsync(piece)));
    if (next() < 0.3) events.push(...decoder.flush());
  }
  events.push(...decoder.end());
  return outcome(events, decoder);
}

/** The first difference, shown as a small diff (an event, its index and the strategy) rather than two whole logs. */
function expectSame(strategy: string, actual: Outcome, expected: Outcome): void {
  const count = Math.max(actual.events.length, expected.events.length);
  let at = 0;
  while (at < count && actual.events[at] === expected.events[at]) at++;
  const cut = (event: string | undefined) => (event === undefined ? '<no event>' : event.length > 4000 ? `${event.slice(0, 4000)}…` : event);
  if (at < count) {
    expect({ strategy, at, events: actual.events.length, event: cut(actual.events[at]) }).toEqual({
      strategy,
      at,
      events: expected.events.length,
      event: cut(expected.events[at]),
    });
  }
  expect({ strategy, lines: actual.lines, warnings: actual.warnings }).toEqual({ strategy, lines: expected.lines, warnings: expected.warnings });
}

/** The first whole lines of `input` that fit in `bytes` (for the tiny chunk sizes, whose cost grows with line length). */
function head(input: Buffer, bytes: number): Buffer {
  if (input.length <= bytes) return input;
  const lineBreak = input.lastIndexOf(0x0a, bytes);
  return input.subarray(0, lineBreak < 0 ? bytes : lineBreak + 1);
}

interface Plan {
  /** push / pushAsync sizes over the whole input. */
  push: number[];
  pushAsync: number[];
  /** Tiny sizes (1, 7; 13 for pushAsync) over the first `tinyBytes` of the input. */
  tinyBytes: number;
  /** Smallest chunk of the random strategies. */
  minChunk: number;
}

const FULL: Plan = { push: [4096, 65_536], pushAsync: [100_003, 1 << 20], tinyBytes: Infinity, minChunk: 1 };

/** Every strategy against the JavaScript path; returns the reference (so callers can check it decoded something). */
async function expectNativeSameAsJs(input: Buffer, plan: Plan = FULL, seed = 1): Promise<Outcome> {
  const expected = reference(input);
  expectSame('push(all)', pushed(input, Math.max(1, input.length)), expected);
  for (const size of plan.push) expectSame(`push(${size})`, pushed(input, size), expected);
  for (const size of plan.pushAsync) expectSame(`pushAsync(${size})`, await pushedAsync(input, size), expected);
  expectSame('pushAsync(random) + flush()', await randomly(input, seed, plan.minChunk, false), expected);
  expectSame('push/pushAsync(random) + flush()', await randomly(input, seed + 1, plan.minChunk, true), expected);
  if (plan.tinyBytes > 0) {
    const tiny = head(input, plan.tinyBytes);
    const tinyExpected = tiny === input ? expected : reference(tiny);
    expectSame(`push(1) over ${tiny.length} bytes`, pushed(tiny, 1), tinyExpected);
    expectSame(`push(7) over ${tiny.length} bytes`, pushed(tiny, 7), tinyExpected);
    expectSame(`pushAsync(13) over ${tiny.length} bytes`, await pushedAsync(tiny, 13), tinyExpected);
  }
  return expected;
}

const joinLines = (lines: readonly string[], finalNewline = true): Buffer =>
  Buffer.from(lines.join('\n') + (finalNewline ? '\n' : ''), 'utf8');

const countEnforcer = (outcome: Outcome, enforcer: string): number => outcome.events.filter((event) => event.includes(`"enforcer":"${enforcer}"`)).length;

// ---------------------------------------------------------------------------------------------------------------------
// Hand-written records.

const STAMP = 'msg=audit(1717430600.947:2040)';
const FILE_FIELDS =
  'apparmor="DENIED" operation="open" class="file" profile="varmor-demo-demo-1" name="/etc/shadow" pid=4242 comm="cat" requested_mask="r" denied_mask="r" fsuid=0 ouid=0';
const AVC = `type=AVC ${STAMP}: ${FILE_FIELDS}`;
const AVC_ENRICHED = `${AVC}\x1dFSUID="root" OUID="root"`;
const SECCOMP_FIELDS =
  'auid=4294967295 uid=0 gid=0 ses=4294967295 subj=varmor-demo-demo-5 (enforce) pid=42 comm="sh" exe="/bin/dash" sig=0 arch=c000003e syscall=56 compat=0 ip=0x7fe2ff5017be code=0x7ffc0000';
const SECCOMP_NO_SUBJ = SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce) ', '');
const SECCOMP = `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS}`;
const SECCOMP_ENRICHED = `${SECCOMP}\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=clone`;

/** Lines in every form the C grammar accepts or hands back, as text (UTF-8 when written out). */
const EDGE_LINES: string[] = [
  AVC,
  AVC_ENRICHED,
  SECCOMP,
  SECCOMP_ENRICHED,
  // audispd's node=, and odd nodes the scanner leaves to the string decoders.
  `node=worker-1 ${AVC}`,
  `node=worker-1 ${AVC_ENRICHED}`,
  `node=worker-1 ${SECCOMP}`,
  `node=AVC-1400 ${SECCOMP}`,
  `node= ${AVC}`,
  `node=a"b ${AVC}`,
  `node=a=b ${AVC}`,
  `node=x\t${AVC}`,
  'node=worker-1',
  'node=worker-1 type=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=257',
  `node=worker-1 type=AVC`,
  // Numeric types (auditd without a name table), and the other AppArmor types.
  `type=1400 ${STAMP}: ${FILE_FIELDS}`,
  `type=1400 ${STAMP}: apparmor="DENIED" operation="capable" class="cap" profile="snap.x" pid=1 comm="python3" capability=13 capname="net_raw"`,
  `type=1326 msg=audit(1700000000.123:42): ${SECCOMP_FIELDS}`,
  `type=1326 msg=audit(1700000000.123:42): ${SECCOMP_NO_SUBJ}`,
  `type=13260 msg=audit(1700000000.123:42): ${SECCOMP_NO_SUBJ}`,
  `type=1107 ${STAMP}: pid=1 uid=0 apparmor="DENIED" operation="dbus_method_call"`,
  `type=APPARMOR_DENIED ${STAMP}: ${FILE_FIELDS}`,
  `type=APPARMOR_AUDIT ${STAMP}: ${FILE_FIELDS.replace('DENIED', 'AUDIT')}`,
  `type=APPARMOR_STATUS ${STAMP}: apparmor="STATUS" operation="profile_load" profile="unconfined" name="docker-default" pid=1 comm="apparmor_parser"`,
  `type=APPARMOR ${STAMP}: ${FILE_FIELDS}`,
  `type=UNKNOWN[1334] ${STAMP}: ${FILE_FIELDS}`,
  `type=UNKNOWN ${STAMP}: ${FILE_FIELDS}`,
  // USER_AVC: D-Bus mediation (msg='…' with blanks), plain ones, apparmor= first or not.
  `type=USER_AVC ${STAMP}: pid=1 uid=102 auid=4294967295 ses=4294967295 subj=unconfined msg='apparmor="DENIED" operation="dbus_method_call"  bus="system" path="/org/freedesktop/DBus" interface="org.freedesktop.DBus" member="Hello" mask="send" name="org.freedesktop.DBus" pid=2000 label="snap.x" peer_pid=1 peer_label="unconfined" exe="/usr/bin/dbus-daemon" sauid=102 hostname=? addr=? terminal=?'`,
  `type=USER_AVC ${STAMP}: pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined`,
  `type=USER_AVC ${STAMP}: pid=1 uid=0 apparmor="DENIED" operation="dbus_bind" bus="session" name="org.x" mask="bind" label="snap.y"`,
  `type=USER_AVC ${STAMP}: apparmor="DENIED" operation="dbus_bind" bus="session" name="org.x" mask="bind" label="snap.y"`,
  // SECCOMP with and without subj, with several mode words, ENRICHED without subj, records cut short.
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_NO_SUBJ}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_NO_SUBJ}\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=clone`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('(enforce)', '(enforce) (complain)')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj=x (enforce) (complain)')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj=x (enforce)(x)')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj=x (enf^rce)')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj=x (a=b)')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj="quoted (enforce)"')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj==untrusted (complain)')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj=system_u:system_r:spc_t:s0:c284,c594')}`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_NO_SUBJ} subj=late (enforce)`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_NO_SUBJ} subj_x=y (enforce)`,
  `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS} (enforce)`,
  `type=SECCOMP msg=audit(1700000000.123:42): auid=0 uid=0 pid=1 arch=c000003e syscall=1`,
  `type=SECCOMP msg=audit(1700000000.123:42): arch=40000003 syscall=224 code=0x0\x1dARCH=i386 SYSCALL=gettid`,
  // Decimals: quoted, leading zeros, 15 and 16 digits, signed, hex where a decimal goes.
  AVC.replace('pid=4242', 'pid="12"'),
  AVC.replace('pid=4242', 'pid=0012'),
  AVC.replace('pid=4242', 'pid=0'),
  AVC.replace('pid=4242', 'pid=00'),
  AVC.replace('pid=4242', 'pid=123456789012345'),
  AVC.replace('pid=4242', 'pid=1234567890123456'),
  AVC.replace('pid=4242', 'pid=4294967296'),
  AVC.replace('pid=4242', 'pid=-1'),
  AVC.replace('fsuid=0 ouid=0', 'fsuid=1234567890123456 ouid=0012'),
  AVC.replace('fsuid=0 ouid=0', 'fsuid="0" ouid=0x10'),
  SECCOMP.replace('pid=42', 'pid="12"').replace('syscall=56', 'syscall=0056').replace('ses=4294967295', 'ses=1234567890123456'),
  SECCOMP.replace('pid=42', 'pid=0012').replace('arch=c000003e', 'arch="c000003e"').replace('code=0x7ffc0000', 'code="0x50001"'),
  SECCOMP.replace('sig=0', 'sig=123456789012345').replace('ip=0x7fe2ff5017be', 'ip=12').replace('code=0x7ffc0000', 'code=12'),
  SECCOMP.replace('arch=c000003e', 'arch=C000003E').replace('code=0x7ffc0000', 'code=0X7FFC0000'),
  // Hex-encoded untrusted strings (and texts that only look like hex).
  AVC.replace('name="/etc/shadow"', 'name=2F746D702F61206220').replace('comm="cat"', 'comm=6D7920636F6D6D'),
  AVC.replace('name="/etc/shadow"', 'name=2F746D7').replace('comm="cat"', 'comm=6d79'),
  AVC.replace('name="/etc/shadow"', 'name=12345678').replace('comm="cat"', 'comm=1234'),
  AVC.replace('name="/etc/shadow"', 'name=C3A9').replace('profile="varmor-demo-demo-1"', 'profile=70726F66696C65'),
  SECCOMP.replace('comm="sh"', 'comm=6D7920636F6D6D').replace('exe="/bin/dash"', 'exe=2F746D702F612062'),
  // Duplicates: the first wins; apparmor= twice (the last action counts for both readers).
  AVC.replace('pid=4242', 'pid=4242 name="/second" pid=7'),
  `${AVC} name="/third" operation="exec"`,
  `${AVC} apparmor="AUDIT"`,
  `${AVC} apparmor="STATUS"`,
  AVC.replace('apparmor="DENIED"', 'apparmor="STATUS" apparmor="ALLOWED"'),
  `${SECCOMP} syscall=1 arch=40000003 code=0x0 comm="second"`,
  `${SECCOMP} x=1 auid=7`,
  // Keys an object does not hold plainly, and actions that are not actions.
  `${AVC} __proto__=x constructor=1 toString="y" hasOwnProperty=z`,
  AVC.replace('operation="open"', '__proto__="open"'),
  AVC.replace('apparmor="DENIED"', 'apparmor="toString"'),
  AVC.replace('apparmor="DENIED"', 'apparmor=__proto__'),
  AVC.replace('apparmor="DENIED"', 'apparmor=DENIED'),
  `${SECCOMP} __proto__=1`,
  // auditd's ENRICHED separator glued, printed as ^], doubled; keys glued to values.
  AVC_ENRICHED.replace('\x1d', ''),
  AVC_ENRICHED.replace('\x1d', '^]'),
  AVC_ENRICHED.replace('\x1d', '\x1d\x1d'),
  AVC_ENRICHED.replace('\x1d', ' \x1d'),
  AVC.replace('ouid=0', 'ouid=0FSUID="root"'),
  `${AVC}FSUID="root" OUID="root"`,
  SECCOMP_ENRICHED.replace('\x1d', ''),
  SECCOMP_ENRICHED.replace('\x1d', '^]'),
  SECCOMP.replace('code=0x7ffc0000', 'code=0x7ffc0000AUID="unset"'),
  SECCOMP.replace('ip=0x7fe2ff5017be', 'ip=0x1=2'),
  // Blanks: trailing, doubled, a tab, CR at the end (`\r\n`) and inside.
  `${AVC} `,
  `${AVC}  `,
  AVC.replace(' operation=', '  operation='),
  AVC.replace(' operation=', '\toperation='),
  AVC.replace(': apparmor=', ':  apparmor='),
  `${AVC}\r`,
  `${AVC_ENRICHED}\r`,
  `${SECCOMP}\r`,
  AVC.replace(' pid=', '\r pid='),
  `${AVC} \r`,
  // Non-ASCII UTF-8 in a quoted value and in a bare one; a DEL byte.
  AVC.replace('/etc/shadow', '/tmp/é'),
  AVC.replace('name="/etc/shadow"', 'name=/tmp/naïve'),
  SECCOMP.replace('comm="sh"', 'comm="naïve"'),
  `node=wörker ${AVC}`,
  AVC.replace('/etc/shadow', '/tmp/\x7f'),
  // Empty values: key= in the middle, at the end, empty quotes.
  AVC.replace('name="/etc/shadow"', 'name='),
  `${AVC} key=`,
  AVC.replace('name="/etc/shadow"', 'name=""'),
  SECCOMP.replace('comm="sh"', 'comm='),
  SECCOMP.replace('code=0x7ffc0000', 'code='),
  // Unclosed quotes, stray quotes and carets.
  AVC.replace('name="/etc/shadow"', 'name="/etc/shadow'),
  `${AVC} info="unterminated`,
  `${AVC} "`,
  AVC.replace('name="/etc/shadow"', 'name=/etc/"shadow"'),
  AVC.replace('name="/etc/shadow"', 'name="/etc/sh"adow"'),
  AVC.replace('name="/etc/shadow"', 'name="/a=b^c"'),
  AVC.replace('name="/etc/shadow"', 'name=/a^b'),
  AVC.replace('name="/etc/shadow"', 'name="a b"'),
  // Words without `=`, keys that are not [A-Za-z0-9_], a lone `=`.
  AVC.replace(' pid=', ' garbage pid='),
  `${AVC} garbage`,
  `${AVC} =x`,
  `${AVC} =`,
  AVC.replace('fsuid=0', 'fs.uid=0'),
  AVC.replace('fsuid=0', 'fs-uid=0'),
  AVC.replace('fsuid=0', 'fs(uid)=0'),
  SECCOMP.replace('compat=0', 'com.pat=0'),
  SECCOMP.replace('compat=0', 'x'),
  // Stamps: missing, without millis, without serial, 15 and 16 digit seconds, leading zeros, nothing after.
  `type=AVC ${FILE_FIELDS}`,
  `type=AVC msg=audit(1717430600:2040): ${FILE_FIELDS}`,
  `type=AVC msg=audit(1717430600.947): ${FILE_FIELDS}`,
  `type=AVC msg=audit(1717430600.947:): ${FILE_FIELDS}`,
  `type=AVC msg=audit(.947:2040): ${FILE_FIELDS}`,
  `type=AVC msg=audit(1717430600.:2040): ${FILE_FIELDS}`,
  `type=AVC msg=audit(123456789012345.947:2040): ${FILE_FIELDS}`,
  `type=AVC msg=audit(1234567890123456.947:2040): ${FILE_FIELDS}`,
  `type=AVC msg=audit(0000000000.000:0000): ${FILE_FIELDS}`,
  `type=AVC msg=audit(0017.001:2): ${FILE_FIELDS}`,
  `type=AVC msg=audit(1717430600.947:2040):${FILE_FIELDS}`,
  `type=AVC msg=audit(1717430600.947:2040) ${FILE_FIELDS}`,
  `type=AVC audit(1717430600.947:2040): ${FILE_FIELDS}`,
  `type=AVC  msg=audit(1717430600.947:2040): ${FILE_FIELDS}`,
  'type=AVC msg=audit(1717430600.947:2040):',
  'type=AVC msg=audit(1717430600.947:2040): ',
  'type=AVC msg=audit(1717430600.947:2040)',
  'type=AVC msg=audit(',
  `type=SECCOMP msg=audit(1234567890123456.123:42): ${SECCOMP_FIELDS}`,
  `type=SECCOMP msg=audit(1700000000:42): ${SECCOMP_FIELDS}`,
  `type=SECCOMP ${SECCOMP_FIELDS}`,
  'type=SECCOMP msg=audit(1700000000.123:42):',
  // Transports the scanner leaves to the string decoders (shapes of samples.log).
  `Feb 11 19:02:52 juju-110cc2-k8stest-4 kernel: [  285.461889] audit: type=1400 audit(1644606172.026:81): ${FILE_FIELDS}`,
  `[ 4301.999258] audit: type=1400 audit(1644450589.972:424): ${FILE_FIELDS}`,
  `[ 3256.689120] type=1400 audit(1405454041.341:73): ${FILE_FIELDS}`,
  `Feb 04 09:43:37 compute4 audit[36523]: AVC ${FILE_FIELDS}`,
  `audit[13902]: AVC ${FILE_FIELDS}`,
  `AVC ${FILE_FIELDS}`,
  `audit: type=1326 audit(1611996299.149:466250): ${SECCOMP_NO_SUBJ}`,
  `Jul  8 10:31:23 ubuntu2004 kernel: [  270.853767] audit: type=1326 audit(1625740283.502:574): ${SECCOMP_NO_SUBJ}`,
  `audit[7053]: SECCOMP ${SECCOMP_NO_SUBJ}`,
  `Jan 29 07:58:12 host audispd[568]: node=worker-1 ${SECCOMP}`,
  `Jan 29 07:58:12 host audispd[568]: node=worker-1 ${AVC}`,
  // Lines that are barely lines, and record types no decoder reads.
  '',
  'type=',
  'type=A',
  'type=AV',
  'type=AVC',
  'type=AVC ',
  'type=1',
  'type=SYSCALL',
  'type=SYSCALL msg=audit(1717430600.947:2040): arch=c000003e syscall=257 comm="apparmor=DENIED" subj=x (enforce)',
  'type=PROCTITLE msg=audit(1717430600.947:2040): proctitle=636174002F6574632F736861646F77',
  'type=CWD msg=audit(1717430600.947:2040): cwd="/"',
  'typo=AVC msg=audit(1.2:3): apparmor="DENIED"',
  ' type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open"',
  'xnode=a type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open"',
  // A record with no fields the decoders know, and one made only of unknown keys.
  `type=AVC ${STAMP}: a=1`,
  `type=AVC ${STAMP}: a=1 b="2" c=three`,
  `type=SECCOMP msg=audit(1700000000.123:42): a=1`,
  // The last line: no newline after it (the input is written without one).
  `${AVC.replace('/etc/shadow', '/last/line')}`,
];

/** Raw bytes the text lines cannot carry (invalid UTF-8): 0x80-0xff in quoted and bare values, in the node and type. */
const RAW_LINES: Buffer[] = [
  Buffer.from(AVC.replace('/etc/shadow', '/tmp/\x80\xff\xc3'), 'latin1'),
  Buffer.from(AVC.replace('name="/etc/shadow"', 'name=/tmp/\xe9\xff'), 'latin1'),
  Buffer.from(SECCOMP.replace('comm="sh"', 'comm="\x80\x81"'), 'latin1'),
  Buffer.from(`node=\xfe ${AVC}`, 'latin1'),
  Buffer.from(`type=AVC\xa0${STAMP}: ${FILE_FIELDS}`, 'latin1'),
  Buffer.from(AVC.replace('operation="open"', 'operation\xff="open"'), 'latin1'),
  Buffer.from(`${AVC}\xc3`, 'latin1'),
  Buffer.from(`\xef\xbb\xbf${AVC}`, 'latin1'),
  Buffer.from(AVC.replace(' pid=', '\x00pid='), 'latin1'),
];

/** All bytes from 0x00 to 0xff once each inside a quoted value, in a bare value and in a key. */
function everyByteLines(): Buffer[] {
  const out: Buffer[] = [];
  for (let byte = 0; byte < 256; byte++) {
    if (byte === 0x0a) continue;
    const b = String.fromCharCode(byte);
    out.push(Buffer.from(AVC.replace('/etc/shadow', `/x${b}y`), 'latin1'));
    out.push(Buffer.from(SECCOMP.replace('ip=0x7fe2ff5017be', `ip=0x7f${b}`), 'latin1'));
    out.push(Buffer.from(AVC.replace('comm="cat"', `co${b}mm="cat"`), 'latin1'));
  }
  return out;
}

const linesOf = (lines: readonly Buffer[], finalNewline: boolean): Buffer => {
  const parts: Buffer[] = [];
  lines.forEach((line, i) => {
    parts.push(line);
    if (i < lines.length - 1 || finalNewline) parts.push(Buffer.from('\n'));
  });
  return Buffer.concat(parts);
};

const samplesText = readFileSync(SAMPLES, 'utf8');
const samples = samplesText.split('\n').filter(Boolean);
const generated = [...generate(30_000, undefined, 0xa11)];

describe('AuditLogDecoder: the native scanner gives the events of the JavaScript path', () => {
  it('has the native scanner here (the build made packages/core/native/build/libarmorkit-audit.so)', () => {
    // Not a skip: `pnpm run build-all` (and the Makefile) always build it on this kind of machine.
    expect(nativeAuditScannerAvailable()).toBe(true);
    const native = newDecoder(true);
    expect(native.native).toBe(true);
    native.end();
    expect(newDecoder(false).native).toBe(false);
  });

  it('decodes samples.log the same, fed any way', async () => {
    const expected = await expectNativeSameAsJs(Buffer.from(samplesText, 'utf8'));
    expect(expected.lines).toBe(35);
    expect(countEnforcer(expected, 'AppArmor')).toBe(24);
    expect(countEnforcer(expected, 'Seccomp')).toBe(10);
  });

  it('decodes 30k lines of the generated ENRICHED log the same, fed any way', async () => {
    const expected = await expectNativeSameAsJs(joinLines(generated), { ...FULL, tinyBytes: 48 * 1024 }, 2);
    expect(expected.lines).toBe(generated.length);
    expect(countEnforcer(expected, 'AppArmor')).toBeGreaterThan(4_000);
    expect(countEnforcer(expected, 'Seccomp')).toBeGreaterThan(4_000);
  });

  it('decodes fuzzed variants of samples.log and of the generated log the same, fed any way', async () => {
    const fromSamples = fuzz(samples, 200, 0xf0221);
    const fromGenerated = fuzz(
      generated.slice(0, 12_000).filter((line) => !line.startsWith('type=PROCTITLE')),
      2,
      0xf0222,
    );
    const expected = await expectNativeSameAsJs(joinLines([...fromSamples, ...fromGenerated]), { ...FULL, tinyBytes: 48 * 1024 }, 3);
    expect(expected.events.length).toBeGreaterThan(10_000);
  });

  it('decodes hand-written edge lines the same, fed any way, ending without a newline', async () => {
    const text = EDGE_LINES.map((line) => Buffer.from(line, 'utf8'));
    const expected = await expectNativeSameAsJs(linesOf([...text, ...RAW_LINES, ...everyByteLines(), ...text], false), FULL, 4);
    expect(expected.events.length).toBeGreaterThan(300);
    // CRLF line ends too (each line's CR stays in it, as `split('\n')` keeps it).
    await expectNativeSameAsJs(Buffer.from(EDGE_LINES.join('\r\n'), 'utf8'), FULL, 5);
  });

  it('splits the plain edge lines into fields and hands the irregular ones over as lines (both paths are exercised)', () => {
    const viaFields = (line: string): boolean => {
      let split = false;
      const decoder = new AuditLogDecoder(
        watched((fields) => {
          split = true;
          expect(fields.line()).toBe(line);
        }),
      );
      decoder.push(Buffer.from(`${line}\n`, 'utf8'));
      decoder.end();
      return split;
    };
    const plain = [
      AVC,
      AVC_ENRICHED,
      SECCOMP,
      SECCOMP_ENRICHED,
      `node=worker-1 ${AVC}`,
      `type=1400 ${STAMP}: ${FILE_FIELDS}`,
      `type=1326 msg=audit(1700000000.123:42): ${SECCOMP_NO_SUBJ}`,
      `type=USER_AVC ${STAMP}: pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined`,
      `type=APPARMOR_DENIED ${STAMP}: ${FILE_FIELDS}`,
      `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS.replace('subj=varmor-demo-demo-5 (enforce)', 'subj=x (enforce) (complain)')}`,
      AVC.replace('pid=4242', 'pid="12"'),
      AVC.replace('pid=4242', 'pid=0012'),
      AVC.replace('pid=4242', 'pid=1234567890123456'),
      AVC.replace('name="/etc/shadow"', 'name=2F746D702F61206220').replace('comm="cat"', 'comm=6D7920636F6D6D'),
      AVC.replace('pid=4242', 'pid=4242 name="/second" pid=7'),
      `${AVC} apparmor="AUDIT"`,
      `${AVC} __proto__=x constructor=1 toString="y" hasOwnProperty=z`,
      AVC.replace('name="/etc/shadow"', 'name=""'),
      AVC.replace('name="/etc/shadow"', 'name="/a=b^c"'),
      `type=AVC msg=audit(0000000000.000:0000): ${FILE_FIELDS}`,
    ];
    const irregular = [
      `${AVC} `,
      AVC.replace(' operation=', '  operation='),
      AVC.replace(' operation=', '\toperation='),
      `${AVC}\r`,
      AVC.replace('/etc/shadow', '/tmp/é'),
      AVC.replace('name="/etc/shadow"', 'name='),
      AVC.replace('name="/etc/shadow"', 'name="/etc/shadow'),
      AVC.replace(' pid=', ' garbage pid='),
      AVC.replace('ouid=0', 'ouid=0FSUID="root"'),
      AVC.replace('fsuid=0', 'fs.uid=0'),
      AVC_ENRICHED.replace('\x1d', '^]'),
      `type=AVC ${FILE_FIELDS}`,
      `type=AVC msg=audit(1717430600:2040): ${FILE_FIELDS}`,
      `type=AVC msg=audit(1234567890123456.947:2040): ${FILE_FIELDS}`,
      'type=AVC msg=audit(1717430600.947:2040): ',
      `node= ${AVC}`,
      `type=UNKNOWN[1334] ${STAMP}: ${FILE_FIELDS}`,
      `[ 4301.999258] audit: type=1400 audit(1644450589.972:424): ${FILE_FIELDS}`,
      `audit[7053]: SECCOMP ${SECCOMP_NO_SUBJ}`,
    ];
    expect(plain.filter((line) => !viaFields(line))).toEqual([]);
    expect(irregular.filter((line) => viaFields(line))).toEqual([]);
  });

  it('decodes each edge line alone the same, with and without its newline', async () => {
    for (const line of [...EDGE_LINES.map((text) => Buffer.from(text, 'utf8')), ...RAW_LINES]) {
      const shown = line.toString('latin1').slice(0, 100);
      const input = Buffer.concat([line, Buffer.from('\n')]);
      const expected = reference(input);
      expectSame(`push(all): ${shown}`, pushed(input, input.length), expected);
      expectSame(`push(1): ${shown}`, pushed(input, 1), expected);
      expectSame(`pushAsync(13): ${shown}`, await pushedAsync(input, 13), expected);
      expectSame(`pushAsync(random) + flush(): ${shown}`, await randomly(input, 6, 1, true), expected);
      expectSame(`push(all), no newline: ${shown}`, pushed(line, Math.max(1, line.length)), reference(line));
    }
  });

  it('decodes the same with several decoders scanning on libuv threads at once', async () => {
    const inputs = [joinLines(generated.slice(0, 6_000)), Buffer.from(samplesText, 'utf8'), joinLines(EDGE_LINES, false), joinLines(generated.slice(6_000, 12_000))];
    const expected = inputs.map(reference);
    const actual = await Promise.all(inputs.map((input, i) => (i % 2 === 0 ? pushedAsync(input, 8_192) : randomly(input, 9 + i, 1, false))));
    actual.forEach((outcome, i) => expectSame(`decoder ${i} of ${inputs.length}`, outcome, expected[i] as Outcome));
  });

  it('decodes long lines under the cap the same (values filling the text buffer of a scan call, more fields than its output holds)', async () => {
    const MAX = AUDIT_LINE_MAX_BYTES;
    /** `line` padded to exactly `length` bytes with `unit` where `slot` is. */
    const sized = (line: string, slot: string, length: number, unit: string): string => {
      const room = length - (line.length - slot.length);
      return line.replace(slot, unit.repeat(Math.floor(room / unit.length)) + unit.slice(0, room % unit.length));
    };
    const longLines = [
      AVC,
      // Plain records with one long value: copied to the text buffer when it fits, else handed over as a line.
      sized(AVC, '/etc/shadow', MAX, 'a'),
      SECCOMP,
      sized(AVC_ENRICHED, '/etc/shadow', MAX - 1, 'b/'),
      sized(AVC, '/etc/shadow', MAX, 'c'),
      sized(AVC, '/etc/shadow', MAX, 'd'),
      sized(AVC, '/etc/shadow', MAX, 'e'),
      AVC,
      // Many fields: a few such lines fill a scan call's output; more new keys than half the intern table.
      `type=AVC ${STAMP}: ${FILE_FIELDS} ${Array.from({ length: 10_000 }, (_, i) => `k${i % 50}=v`).join(' ')}`,
      `type=AVC ${STAMP}: ${FILE_FIELDS} ${Array.from({ length: 10_000 }, (_, i) => `k${i % 60}=w`).join(' ')}`,
      `type=AVC ${STAMP}: ${FILE_FIELDS} ${Array.from({ length: 7_500 }, (_, i) => `k${i}=v`).join(' ')}`,
      SECCOMP_ENRICHED,
      `type=SECCOMP msg=audit(1700000000.123:42): ${SECCOMP_FIELDS} ${'x=1 '.repeat(16_000)}`,
      // Another transport, and a skipped record type, at the cap.
      sized(`[ 4301.999258] audit: type=1400 audit(1644450589.972:424): ${FILE_FIELDS}`, '/etc/shadow', MAX, 'c'),
      sized('type=PROCTITLE msg=audit(1717430600.947:2040): proctitle=61', '=61', MAX, '61'),
      AVC,
      SECCOMP,
    ];
    for (const line of longLines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX);
    const input = joinLines(longLines, false);
    const expected = await expectNativeSameAsJs(input, { push: [65_536], pushAsync: [100_003, 1 << 20], tinyBytes: 0, minChunk: 4096 }, 7);
    expect(expected.lines).toBe(longLines.length);
    expect(expected.warnings).toEqual([]);
    expect(expected.events.length).toBe(longLines.length - 1); // all but the PROCTITLE record
  });

  it('skips lines over the cap whole, with the warnings of the JavaScript path (at 64 KiB, 64 KiB + 1, over many chunks, in a row), fed any way', async () => {
    const MAX = AUDIT_LINE_MAX_BYTES;
    const padded = (length: number, unit = 'a') => AVC.replace('/etc/shadow', `/${unit.repeat(Math.ceil((length - AVC.length) / unit.length) + 10)}`).slice(0, length - 1) + '"';
    const lines = [
      AVC,
      padded(MAX), // exactly the cap: an event
      padded(MAX + 1), // one byte over: a warning
      SECCOMP,
      padded(MAX, 'b/'), // handed over (a `/` run is plain too): an event
      padded(3 * 1024 * 1024 + 3), // over many chunks
      SECCOMP_ENRICHED,
      ...Array.from({ length: 8 }, (_, i) => padded(MAX + 1 + i * 5003)), // in a row
      `type=PROCTITLE msg=audit(1717430600.947:2040): proctitle=${'61'.repeat(MAX)}`, // over the cap and of a skipped type
      `[ 4301.999258] audit: type=1400 audit(1644450589.972:424): ${FILE_FIELDS.replace('/etc/shadow', 'c'.repeat(MAX))}`,
      padded(MAX - 1),
      AVC_ENRICHED,
    ];
    for (const last of ['', AVC, padded(MAX + 2), padded(2 * 1024 * 1024)]) {
      for (const finalNewline of [true, false]) {
        const input = joinLines(last === '' ? lines : [...lines, last], finalNewline);
        const expected = await expectNativeSameAsJs(input, { push: [1 << 16, MAX + 1, 1 << 20], pushAsync: [4099, 100_003, 1 << 20], tinyBytes: 0, minChunk: 1 }, 11);
        const overLong = 12 + (last.length > MAX ? 1 : 0);
        expect(expected.warnings).toHaveLength(overLong);
        expect(expected.events).toHaveLength(7 + (last === AVC ? 1 : 0));
        expect(expected.lines).toBe(lines.length + (last === '' ? 0 : 1));
      }
    }
    // The warnings name the line and the offset of its first byte.
    const expected = reference(joinLines(lines));
    const offsetOf = (index: number) => lines.slice(0, index).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    expect(expected.warnings.slice(0, 2).map((warning) => JSON.parse(warning) as unknown)).toEqual([
      {
        code: 'AUDIT_LINE_TOO_LONG',
        source: 'audit.log',
        line: 3,
        offset: offsetOf(2),
        message: `audit.log: line 3 (at byte ${offsetOf(2)}) is longer than 65536 bytes: skipped whole, it is not an audit record`,
      },
      expect.objectContaining({ line: 6, offset: offsetOf(5) }),
    ]);
  });

  it('skips over-long lines the same in chunks of 1 and 7 bytes', async () => {
    const MAX = AUDIT_LINE_MAX_BYTES;
    const input = joinLines([AVC, AVC.replace('/etc/shadow', `/${'a'.repeat(MAX)}`), SECCOMP, AVC.replace('/etc/shadow', `/${'b'.repeat(150_000)}`), AVC], false);
    const expected = reference(input);
    expect(expected.warnings).toHaveLength(2);
    expect(expected.events).toHaveLength(3);
    expectSame('push(1)', pushed(input, 1), expected);
    expectSame('push(7)', pushed(input, 7), expected);
    expectSame('pushAsync(7)', await pushedAsync(input, 7), expected);
  });

  it('keeps memory bounded over a 256 MiB line streamed in 1 MiB chunks (native path)', async () => {
    const decoder = nativeDecoder();
    const chunk = Buffer.alloc(1 << 20, 0x61);
    await decoder.pushAsync(Buffer.from('type=AVC msg=audit(1.2:1): name="'));
    const before = process.memoryUsage();
    for (let i = 0; i < 256; i++) expect(await decoder.pushAsync(chunk)).toEqual([]);
    const after = process.memoryUsage();
    const events = [...(await decoder.pushAsync(Buffer.from(`"\n${AVC}\n`))), ...decoder.end()];
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(4 << 20);
    expect(after.rss - before.rss).toBeLessThan(64 << 20);
    expect((warningsOf.get(decoder) ?? []).map((w) => [w.line, w.offset])).toEqual([[1, 0]]);
    expect(events.map((event) => event.event.name)).toEqual(['/etc/shadow']);
    expect(decoder.lines).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The C intern table starting over mid-stream.

/** The reused AuditFields view's prototype (native-scanner.ts FieldsView), caught from one decoded record. */
function fieldsViewPrototype(): { forgetShapes: () => void } {
  let view: object | undefined;
  const decoder = new AuditLogDecoder({
    decodeLine,
    decodeFields: (fields) => {
      view ??= fields;
      return undefined;
    },
  });
  decoder.push(Buffer.from(`${AVC}\n`));
  decoder.end();
  expect(view, 'the native scanner handed no fields view').toBeDefined();
  const prototype = Object.getPrototypeOf(view) as { forgetShapes: () => void };
  expect(typeof prototype.forgetShapes, 'native-scanner.ts FieldsView.forgetShapes (called when the C table starts over)').toBe('function');
  return prototype;
}

/** Runs `body` with FieldsView.forgetShapes replaced (to count the resets, or to check a test would catch its loss). */
async function withForgetShapes<T>(replace: (original: () => void) => () => void, body: () => Promise<T> | T): Promise<T> {
  const prototype = fieldsViewPrototype();
  const original = prototype.forgetShapes;
  prototype.forgetShapes = replace(original);
  try {
    return await body();
  } finally {
    prototype.forgetShapes = original;
  }
}

// audit-scan.c's hash and table (SLOTS 16384, 8 probes): to write records whose keys land on chosen slots.
const SLOTS = 1 << 14;
const PROBES = 8;
const MASK64 = (1n << 64n) - 1n;

function hashIndex(text: string): number {
  const bytes = Buffer.from(text, 'latin1');
  let n = bytes.length;
  let h = 0x9e3779b97f4a7c15n ^ BigInt(n);
  let at = 0;
  for (; n >= 8; n -= 8, at += 8) {
    h = ((h ^ bytes.readBigUInt64LE(at)) * 0xff51afd7ed558ccdn) & MASK64;
    h ^= h >> 32n;
  }
  if (n > 0) {
    let w = 0n;
    for (let i = n - 1; i >= 0; i--) w = (w << 8n) | BigInt(bytes[at + i] as number);
    h = ((h ^ w) * 0xc4ceb9fe1a85ec53n) & MASK64;
    h ^= h >> 29n;
  }
  return Number((h ^ (h >> 32n)) & 0xffffffffn) & (SLOTS - 1);
}

/** The C table, as far as one record's texts go: the slot each text gets, in the order the scanner interns them. */
class TableModel {
  private readonly slots = new Map<number, string>();
  intern(text: string): number {
    const h = hashIndex(text);
    for (let probe = 0; probe < PROBES; probe++) {
      const index = (h + probe) & (SLOTS - 1);
      const held = this.slots.get(index);
      if (held === undefined) {
        this.slots.set(index, text);
        return index;
      }
      if (held === text) return index;
    }
    return -1;
  }
  /** A plain record's interned texts: its type, then each key and each value that is not a canonical decimal. */
  record(type: string, fields: readonly [string, string][]): number[] {
    this.intern(type);
    return fields.map(([key, value]) => {
      const slot = this.intern(key);
      const bare = value.startsWith('"') ? value.slice(1, -1) : value;
      if (!/^(0|[1-9]\d{0,14})$/.test(value)) this.intern(bare);
      return slot;
    });
  }
}

const fieldsText = (fields: readonly [string, string][]): string => fields.map(([key, value]) => `${key}=${value}`).join(' ');

/** A seccomp record in the kernel's order. */
const SECCOMP_RECORD: [string, string][] = [
  ['auid', '4294967295'],
  ['uid', '1000'],
  ['gid', '0'],
  ['ses', '1'],
  ['pid', '42'],
  ['comm', '"sh"'],
  ['exe', '"/bin/sh"'],
  ['sig', '0'],
  ['arch', 'c000003e'],
  ['syscall', '41'],
  ['compat', '0'],
  ['ip', '0x7f00'],
  ['code', '0x7ffc0000'],
];


/** A key of [a-z0-9] that hashes to `slot`. */
function keyHashingTo(slot: number, prefix: string): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i.toString(36)}`;
    if (hashIndex(key) === slot) return key;
  }
}

/** `count` lines, most with `keysPerLine` new keys and as many new values, kernel-order AVC / SECCOMP records between them. */
function churnLines(first: number, count: number, keysPerLine: number): string[] {
  const lines: string[] = [];
  for (let i = first; i < first + count; i++) {
    const unique = Array.from({ length: keysPerLine }, (_, k) => `k${i}x${k}=v${i}x${k}`).join(' ');
    const stamp = `msg=audit(1717430${String(i).padStart(3, '0')}.${String(i % 1000).padStart(3, '0')}:${i})`;
    switch (i % 5) {
      case 0:
        lines.push(`type=AVC ${stamp}: ${FILE_FIELDS.replace('/etc/shadow', `/u/${i}`)} ${unique}`);
        break;
      case 1:
        lines.push(`type=SECCOMP ${stamp}: ${SECCOMP_FIELDS.replace('pid=42', `pid=${i}`)} ${unique}`);
        break;
      case 2:
        lines.push(`type=USER_AVC ${stamp}: pid=${i} name="/n/${i}" ${unique}`);
        break;
      case 3:
        lines.push(`type=AVC ${stamp}: ${FILE_FIELDS.replace('/etc/shadow', `/n/${i}`)}`, `type=SECCOMP ${stamp}: ${SECCOMP_FIELDS.replace('comm="sh"', `comm="c${i}"`)}`);
        break;
      default:
        lines.push(`type=AVC ${stamp}: apparmor="DENIED" operation="open" profile="p${i}" name="/n/${i}" ${unique}`);
    }
  }
  return lines;
}

describe('AuditLogDecoder: the native intern table starting over mid-stream', () => {
  it('gives the same events over >70k distinct keys and values, kernel-order records before and after each reset', async () => {
    const lines: string[] = [];
    // Kernel-order records first (their key shapes get remembered), then churn with them interleaved.
    lines.push(...generated.slice(0, 300));
    lines.push(...churnLines(0, 9_000, 12));
    lines.push(...generated.slice(300, 900));
    const input = joinLines(lines);
    let resets = 0;
    await withForgetShapes(
      (original) =>
        function (this: unknown) {
          resets++;
          original.call(this);
        },
      async () => {
        const expected = await expectNativeSameAsJs(input, { push: [65_536], pushAsync: [100_003], tinyBytes: 0, minChunk: 512 }, 8);
        expect(countEnforcer(expected, 'AppArmor')).toBeGreaterThan(3_000);
        expect(countEnforcer(expected, 'Seccomp')).toBeGreaterThan(3_000);
      },
    );
    // Each of the 5 native runs over ~170k distinct texts started over several times (8 each when written).
    expect(resets).toBeGreaterThanOrEqual(5 * 5);
  });

  it('forgets the shapes its readers planned when the table starts over (a new key on an old slot)', async () => {
    const uid = hashIndex('uid');
    // Before the reset: a key on `uid`'s own slot pushes `uid` one slot on.
    const blocker = keyHashingTo(uid, 'q');
    const before = new TableModel();
    before.record('SECCOMP', [[blocker, '1']]);
    const slotsBefore = before.record('SECCOMP', SECCOMP_RECORD);
    expect(slotsBefore[1]).toBe((uid + 1) & (SLOTS - 1));
    // After it: another key takes that slot, in a record that has every other key of the kernel's order on its old slot.
    const impostor = keyHashingTo(slotsBefore[1] as number, 'z');
    const forged: [string, string][] = SECCOMP_RECORD.map(([key, value], i) => (i === 1 ? [impostor, value] : [key, value]));
    const slotsAfter = new TableModel().record('SECCOMP', forged);
    expect(slotsAfter).toEqual(slotsBefore);

    const record = (fields: [string, string][], serial: number) => `type=SECCOMP msg=audit(1717430600.947:${serial}): ${fieldsText(fields)}\n`;
    // ~10k new texts in one scan call: the next call starts with a reset.
    const churn = joinLines(Array.from({ length: 400 }, (_, i) => `type=USER_AVC msg=audit(1.2:${i}): ${Array.from({ length: 12 }, (_, k) => `c${i}y${k}=w${i}y${k}`).join(' ')}`));
    const chunks = [
      Buffer.from(`type=SECCOMP msg=audit(1717430600.947:1): ${blocker}=1\n${record(SECCOMP_RECORD, 2)}${record(SECCOMP_RECORD, 3)}`),
      churn,
      Buffer.from(`${record(forged, 4)}${record(SECCOMP_RECORD, 5)}${record(forged, 6)}`),
    ];
    const run = (native: boolean): Outcome => {
      const decoder = native ? nativeDecoder() : newDecoder(false);
      const events: ViolationEvent[] = [];
      for (const chunk of chunks) events.push(...decoder.push(chunk));
      events.push(...decoder.end());
      return outcome(events, decoder);
    };
    const expected = run(false);
    expect(expected.events.filter((event) => !event.includes('"uid":1000'))).toHaveLength(2);
    let resets = 0;
    await withForgetShapes(
      (original) =>
        function (this: unknown) {
          resets++;
          original.call(this);
        },
      () => expectSame('push, reset before the forged record', run(true), expected),
    );
    expect(resets).toBe(1);
    // The same stream with the shapes never forgotten reads the impostor as `uid`: the records above do catch it.
    const stale = await withForgetShapes(() => () => undefined, () => run(true));
    expect(stale.events).not.toEqual(expected.events);
    expect(stale.events[2]).toContain('"uid":1000');
    expect(expected.events[2]).not.toContain('"uid":1000');
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The registry and the line reading it falls back to.

describe('the registry and the line reading it falls back to', () => {
  it('reads a plain record only the line reading decodes (apparmor= not first) from its line, and the others from their fields', () => {
    const line = `type=USER_AVC ${STAMP}: pid=1 uid=0 apparmor="DENIED" operation="dbus_bind" bus="session" name="org.x" mask="bind" label="snap.y"`;
    const apparmor = new AuditRecordReader(appArmorAuditRecord, new LabelCache());
    const answers: [string, string][] = [];
    const decoder = new AuditLogDecoder(
      watched((fields) => {
        const answer = apparmor.decodeFields(fields);
        answers.push([fields.line(), answer === READ_THE_LINE ? 'line' : answer === undefined ? 'none' : 'event']);
      }),
    );
    expect(decoder.native).toBe(true);
    const events = [...decoder.push(Buffer.from(`${line}\n${AVC}\n`)), ...decoder.end()];
    // The scanner split both; the AppArmor reader decoded the AVC record from its fields and had the USER_AVC line read.
    expect(answers).toEqual([
      [line, 'line'],
      [AVC, 'event'],
    ]);
    expect(events.map(exact)).toEqual([exact(decodeLine(line)), exact(decodeLine(AVC))]);
    expect(events[0]).toMatchObject({ enforcer: 'AppArmor', action: 'DENIED', event: { operation: 'dbus_bind', bus: 'session' } });
    expect(events.map(exact)).toEqual(reference(Buffer.from(`${line}\n${AVC}\n`)).events);
  });

  it('answers undefined for a plain record of no plugin at all (a USER_AVC without apparmor=), which decodes to nothing', () => {
    const line = `type=USER_AVC ${STAMP}: pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined`;
    let answered = 0;
    const decoder = new AuditLogDecoder(
      watched((fields) => {
        answered++;
        expect(fields.type).toBe('USER_AVC');
        expect(fields.line()).toBe(line);
      }),
    );
    expect([...decoder.push(Buffer.from(`${line}\n`)), ...decoder.end()]).toEqual([]);
    expect(answered).toBe(1);
    expect(decodeLine(line)).toBeUndefined();
  });

  it('decodes a SECCOMP record the AppArmor line decoder claims (apparmor= not first, or after subj mode words) as the line path does', () => {
    // The registry asks AppArmor first: its line reading takes any `apparmor=` once `1400`, `AVC` or `APPARMOR` is in
    // the text before it, so the JavaScript path gives an AppArmor event. Its reader cannot tell that from the fields
    // (key(0) is not apparmor, or a subj label carries mode words) and has the line read, so the seccomp reader does
    // not get to answer from the fields with a Seccomp event.
    const lines = [
      // The smallest: an AppArmor event ({auditID, epoch} only) both ways.
      'type=SECCOMP msg=audit(1400.0:1): arch=0 syscall=0 code=0 apparmor=DENIED',
      'type=SECCOMP msg=audit(1400000000.000:1): auid=0 apparmor="DENIED" arch=c000003e syscall=1 code=0x0',
      'type=SECCOMP msg=audit(1714000000.000:1): apparmor="DENIED" subj=a (enforce) arch=c000003e syscall=1 code=0x0',
      'node=AVC type=SECCOMP msg=audit(1.000:1): x=1 apparmor="DENIED" arch=c000003e syscall=1 code=0x0',
      'type=1326 msg=audit(1714000000.000:1): arch=c000003e syscall=1 code=0x0 apparmor="DENIED"',
    ];
    for (const line of lines) {
      const input = Buffer.from(`${line}\n`);
      const js = reference(input);
      expect(js.events).toHaveLength(1);
      expect(js.events[0]).toContain('"enforcer":"AppArmor"');
      expectSame(`push: ${line}`, pushed(input, input.length), js);
    }
  });
});

describe('misuse of the native decoder', () => {
  it('refuses a second call while a scan runs on its libuv thread, and frees its table only once that scan is done', async () => {
    const engine = (await loadEngine({ cwd: tmpdir() })).engine;
    const decoder = new AuditLogDecoder(engine.auditRecords);
    expect(decoder.native).toBe(true);
    const big = Buffer.from(`${[...auditLog(20_000)].join('\n')}\n`);
    const running = decoder.pushAsync(big);
    // A second push (or end) while the first scan runs would share the C table with it: refused, with the reason.
    expect(() => decoder.push(Buffer.from('type=AVC msg=audit(1.000:1): apparmor="DENIED"\n'))).toThrow(/a scan is running/);
    expect(() => decoder.end()).toThrow(/a scan is running/);
    // Nothing of the refused calls got in: the events are the JavaScript path's.
    const events = [...(await running), ...decoder.end()];
    const reference = new AuditLogDecoder(engine.auditRecords, { native: false });
    expect(events.map(exact)).toEqual([...reference.push(big), ...reference.end()].map(exact));
    expect(events.length).toBeGreaterThan(5_000);
  });
});

describe('the readers of split records', () => {
  it('read the generated AVC and SECCOMP records from their fields, never from their lines', () => {
    const apparmor = new AuditRecordReader(appArmorAuditRecord, new LabelCache());
    const seccomp = new AuditRecordReader(seccompAuditRecord, new LabelCache());
    const taken = { avc: 0, seccomp: 0 };
    const decoder = new AuditLogDecoder(
      watched((fields) => {
        if (fields.type === 'AVC') {
          expect(apparmor.decodeFields(fields), fields.line()).toMatchObject({ enforcer: 'AppArmor' });
          taken.avc++;
        } else if (fields.type === 'SECCOMP') {
          expect(apparmor.decodeFields(fields), fields.line()).toBeUndefined();
          expect(seccomp.decodeFields(fields), fields.line()).toMatchObject({ enforcer: 'Seccomp' });
          taken.seccomp++;
        }
      }),
    );
    expect(decoder.native).toBe(true);
    const events = [...decoder.push(Buffer.from(`${[...auditLog(6_000)].join('\n')}\n`)), ...decoder.end()];
    expect(taken.avc).toBeGreaterThan(500);
    expect(taken.seccomp).toBeGreaterThan(500);
    expect(events).toHaveLength(taken.avc + taken.seccomp);
  });
});

// Benchmark: BehaviorModeling's two costs, beside the audit decoder's own rate in the same run.
//  1. events/s into the model: ViolationEvents of complain-mode profiles (AppArmor ALLOWED, seccomp LOG, BPF
//     complain) through engine.observe (each plugin's reading) and ModelRecorder (path generalisation, sets).
//     Target ≥ 200,000/s. The baseline: AuditLogDecoder turning the same kernel-log lines into those events
//     (what `armorkit model` does first with every line), so the ratio says whether recording or decoding limits it.
//  2. model → profiles for the model those 1,000,000 events built: the YAML written and read back, the DefenseInDepth
//     policy resolved with it, and the AppArmor, seccomp and BPF profiles compiled (pure; no apparmor_parser).
//     Target ≤ 2 s. Its baselines, in the same round: the `yaml` library writing the same model (formatModel writes
//     it itself, byte-identical: checked here) and the full parser reading it (what a model edited by hand gets:
//     a leading comment sends it there); the two models read must be equal.
// The events are generated (seeded, so every run records the same): a web server's file reads under a few thousand
// paths, many of them with pids, temporary names and UUIDs that the generaliser folds, execs, sockets, capabilities,
// a few hundred syscalls, egress to some addresses. Needs `pnpm run build-all`. MODEL_BENCH_EVENTS changes the count,
// MODEL_BENCH_ROUNDS the rounds (medians and bests over them).
import { AuditLogDecoder, violationEvent } from '@armorkit/core/audit';
import { ModelRecorder, formatModel, modelDocument } from '@armorkit/core/model';
import { parseBehaviorModels } from '@armorkit/core/schema';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { loadEngine } from '../packages/cli/dist/index.js';
import { random } from './audit-log.mjs';

const EVENTS = Number(process.env.MODEL_BENCH_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.MODEL_BENCH_ROUNDS ?? 3);
const PROFILE = 'varmor-bench-web';
const TARGET_RATE = 200_000;
const TARGET_PROFILES_MS = 2000;

const POLICY = `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: web, namespace: bench}
spec:
  target: {kind: Deployment, name: web}
  policy:
    enforcer: AppArmorBPFSeccomp
    mode: DefenseInDepth
    defenseInDepth:
      appArmor: {profileType: BehaviorModel}
      seccomp: {profileType: BehaviorModel}
`;

const { engine } = await loadEngine({ cwd: tmpdir() });
// The library core writes and reads YAML with (the baselines), from core's own dependencies.
const yamlLibrary = createRequire(new URL('../packages/core/package.json', import.meta.url))('yaml');

/** `count` kernel-log lines (AppArmor and seccomp, as /dev/kmsg shows them) and BPF events, seeded. */
function workload(count) {
  const next = random(0x30de1);
  const int = (low, high) => low + Math.floor(next() * (high - low + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const hex = (digits) => Array.from({ length: digits }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const modules = Array.from({ length: 1500 }, (_, i) => `/usr/lib/python3.11/${['email', 'http', 'json', 'urllib', 'xml', 'asyncio'][i % 6]}/module_${i}.py`);
  const pages = Array.from({ length: 3000 }, (_, i) => `/srv/www/${['static', 'img', 'docs'][i % 3]}/page-${i}.html`);
  const libraries = Array.from({ length: 200 }, (_, i) => `/usr/lib/x86_64-linux-gnu/lib${i}.so.${i % 7}`);
  const path = () => {
    const roll = next();
    if (roll < 0.3) return [pick(pages), 'r'];
    if (roll < 0.5) return [pick(modules), 'r'];
    if (roll < 0.6) return [pick(libraries), 'mr'];
    if (roll < 0.7) return [`/proc/${int(2, 4_000_000)}/${pick(['stat', 'status', 'cmdline', 'fd/3'])}`, 'r'];
    if (roll < 0.8) return [`/tmp/tmp${hex(8)}`, 'wc'];
    if (roll < 0.9) return [`/var/cache/app/${uuid()}/blob`, 'rw'];
    return [`/srv/uploads/session-${hex(12)}.json`, 'w'];
  };
  const executables = Array.from({ length: 40 }, (_, i) => `/usr/bin/tool-${i}`);
  const syscalls = Array.from({ length: 320 }, (_, i) => i);
  const stamp = (i) => `audit(1764660000.${String(i % 1000).padStart(3, '0')}:${i})`;
  const lines = [];
  const bpfEvents = [];
  for (let i = 0; i < count; i++) {
    const pid = int(300, 40_000);
    const roll = next();
    const head = `6,${i},${i * 10},-;audit: type=`;
    if (roll < 0.45) {
      const [name, mask] = path();
      lines.push(`${head}1400 ${stamp(i)}: apparmor="ALLOWED" operation="open" class="file" profile="${PROFILE}" name="${name}" pid=${pid} comm="python3" requested_mask="${mask}" denied_mask="${mask}" fsuid=0 ouid=${next() < 0.5 ? 0 : 1000}`);
    } else if (roll < 0.5) {
      const kind = int(0, 2);
      if (kind === 0) {
        const exe = pick(executables);
        lines.push(`${head}1400 ${stamp(i)}: apparmor="ALLOWED" operation="exec" class="file" profile="${PROFILE}" name="${exe}" pid=${pid} comm="sh" requested_mask="x" denied_mask="x" fsuid=0 ouid=0 target="${PROFILE}//null-${exe}"`);
      } else if (kind === 1) {
        lines.push(`${head}1400 ${stamp(i)}: apparmor="ALLOWED" operation="create" class="net" profile="${PROFILE}" pid=${pid} comm="python3" family="${pick(['inet', 'inet6', 'unix'])}" sock_type="${pick(['stream', 'dgram'])}" protocol=0 requested_mask="create" denied_mask="create"`);
      } else {
        lines.push(`${head}1400 ${stamp(i)}: apparmor="ALLOWED" operation="capable" class="cap" profile="${PROFILE}" pid=${pid} comm="python3" capability=10 capname="net_bind_service"`);
      }
    } else if (roll < 0.9) {
      lines.push(`${head}1326 ${stamp(i)}: auid=4294967295 uid=0 gid=0 ses=4294967295 subj=${PROFILE} (complain) pid=${pid} comm="python3" exe="/usr/bin/python3.11" sig=0 arch=c000003e syscall=${pick(syscalls)} compat=0 ip=0x7f61a81c5923 code=0x7ffc0000`);
    } else {
      const [name, mask] = path();
      const event =
        next() < 0.7
          ? { operation: 'File', permissions: mask.includes('w') ? ['read', 'write'] : ['read'], path: name, comm: 'python3' }
          : next() < 0.5
            ? { operation: 'Network', type: 'connect', address: { ip: `10.96.${int(0, 3)}.${int(1, 20)}`, port: pick([53, 443, 5432]) }, comm: 'python3' }
            : { operation: 'Bprm', permissions: ['exec'], path: pick(executables), comm: 'sh' };
      bpfEvents.push(violationEvent({ eventTimestamp: 1764660000, enforcer: 'BPF', action: 'ALLOWED', profileName: PROFILE, pid, event }));
    }
  }
  return { lines, bpfEvents };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const best = (values) => Math.min(...values);
const observe = (event) => {
  const observed = engine.observe(event);
  if (!observed.ok) throw new Error(`observe failed: ${JSON.stringify(observed.errors)}`);
  return observed.value;
};

function decode(lines) {
  const decoder = new AuditLogDecoder(engine.auditRecords, { source: '/dev/kmsg' });
  const events = [];
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  const start = performance.now();
  // /dev/kmsg gives one record per read; the follower pushes what a poll read, a few hundred kB at a time.
  for (let at = 0; at < bytes.length; at += 256 * 1024) for (const event of decoder.push(bytes.subarray(at, at + 256 * 1024))) events.push(event);
  for (const event of decoder.end()) events.push(event);
  return { events, ms: performance.now() - start };
}

function record(events) {
  const recorder = new ModelRecorder({ profileName: PROFILE, observe });
  const start = performance.now();
  for (const event of events) recorder.record(event);
  return { recorder, ms: performance.now() - start };
}

function profiles(recorder) {
  const times = {};
  let start = performance.now();
  const dynamicResult = recorder.dynamicResult();
  const model = modelDocument({ profileName: PROFILE, namespace: 'bench', dynamicResult });
  const yaml = formatModel(model);
  times.write = performance.now() - start;
  start = performance.now();
  const { models, errors } = parseBehaviorModels(yaml, 'model.yaml');
  if (errors.length > 0) throw new Error(`the model does not read back: ${errors[0].message}`);
  times.read = performance.now() - start;
  start = performance.now();
  const { policies } = engine.parse(POLICY, 'policy.yaml');
  const { plan, errors: planErrors } = engine.resolve(policies[0], models);
  if (!plan) throw new Error(`the policy does not resolve: ${planErrors[0]?.message}`);
  const compiled = engine.compile(plan);
  if (!compiled.ok) throw new Error(`the profiles do not compile: ${compiled.errors.map((e) => e.message).join('; ')}`);
  times.compile = performance.now() - start;
  const sizes = Object.fromEntries(compiled.value.map((artifact) => [artifact.enforcer, artifact.files.reduce((sum, file) => sum + file.content.length, 0)]));
  // Baselines: the library's writing (stringify; the same bytes) and the full parser's reading (the same model).
  start = performance.now();
  const libraryYaml = yamlLibrary.stringify(model, { aliasDuplicateObjects: false, lineWidth: 0, sortMapEntries: false });
  times.libraryWrite = performance.now() - start;
  if (libraryYaml !== yaml) throw new Error('formatModel wrote other bytes than the yaml library');
  start = performance.now();
  const full = parseBehaviorModels(`# read by the full parser\n${yaml}`, 'model.yaml');
  times.libraryRead = performance.now() - start;
  if (full.errors.length > 0 || !isDeepStrictEqual(full.models, models)) throw new Error('the full parser read another model');
  return { times, total: times.write + times.read + times.compile, yamlBytes: yaml.length, sizes, dynamicResult };
}

console.log(`model bench: ${EVENTS.toLocaleString('en')} events, ${ROUNDS} rounds, node ${process.version}`);
const { lines, bpfEvents } = workload(EVENTS);
const decodeRates = [];
const recordRates = [];
const profileTimes = [];
const splits = [];
let last;
for (let round = 0; round < ROUNDS; round++) {
  const decoded = decode(lines);
  const events = [...decoded.events, ...bpfEvents];
  if (events.length !== EVENTS) throw new Error(`decoded ${decoded.events.length} of ${lines.length} lines`);
  const recorded = record(events);
  if (recorded.recorder.events !== EVENTS) throw new Error(`recorded ${recorded.recorder.events} of ${EVENTS} events (skipped ${recorded.recorder.skipped})`);
  decodeRates.push(decoded.events.length / (decoded.ms / 1000));
  recordRates.push(events.length / (recorded.ms / 1000));
  last = profiles(recorded.recorder);
  profileTimes.push(last.total);
  console.log(`  round ${round + 1}: decode ${Math.round(decodeRates.at(-1)).toLocaleString('en')} events/s, record ${Math.round(recordRates.at(-1)).toLocaleString('en')} events/s, model → profiles ${last.total.toFixed(0)} ms (write ${last.times.write.toFixed(0)}, read ${last.times.read.toFixed(0)}, compile ${last.times.compile.toFixed(0)}; the library: write ${last.times.libraryWrite.toFixed(0)}, read ${last.times.libraryRead.toFixed(0)})`);
  splits.push(last.times);
}

const result = last.dynamicResult;
console.log(
  `model: ${result.appArmor?.files?.length ?? 0} AppArmor files, ${result.appArmor?.executions?.length ?? 0} executions, ${result.seccomp?.syscalls?.length ?? 0} syscalls, ` +
    `${result.bpf?.files?.length ?? 0} BPF files, ${result.bpf?.network?.egresses?.length ?? 0} egress addresses; YAML ${(last.yamlBytes / 1024).toFixed(0)} kB; ` +
    `profiles ${Object.entries(last.sizes).map(([enforcer, bytes]) => `${enforcer} ${(bytes / 1024).toFixed(0)} kB`).join(', ')}`,
);
const recordRate = median(recordRates);
const decodeRate = median(decodeRates);
const profilesMs = median(profileTimes);
console.log(`audit decoder (baseline)  ${Math.round(decodeRate).toLocaleString('en').padStart(11)} events/s  (best ${Math.round(Math.max(...decodeRates)).toLocaleString('en')})`);
console.log(`recording into the model  ${Math.round(recordRate).toLocaleString('en').padStart(11)} events/s  (best ${Math.round(Math.max(...recordRates)).toLocaleString('en')}); ${(recordRate / decodeRate).toFixed(2)}× the decoder; target ≥ ${TARGET_RATE.toLocaleString('en')}: ${recordRate >= TARGET_RATE ? 'met' : 'MISSED'}`);
console.log(`model → profiles          ${profilesMs.toFixed(0).padStart(11)} ms        (best ${best(profileTimes).toFixed(0)}); the decoder takes ${((EVENTS / decodeRate) * 1000).toFixed(0)} ms for the events that built it (${(profilesMs / ((EVENTS / decodeRate) * 1000)).toFixed(2)}×); target ≤ ${TARGET_PROFILES_MS} ms: ${profilesMs <= TARGET_PROFILES_MS ? 'met' : 'MISSED'}`);
const part = (name) => splits.map((times) => times[name]);
const ms = (values) => `${median(values).toFixed(0)} ms (best ${best(values).toFixed(0)})`;
console.log(`  write ${ms(part('write'))} against the yaml library's stringify ${ms(part('libraryWrite'))}: ${(median(part('libraryWrite')) / median(part('write'))).toFixed(1)}× faster, the same bytes`);
console.log(`  read  ${ms(part('read'))} against the full parser ${ms(part('libraryRead'))}: ${(median(part('libraryRead')) / median(part('read'))).toFixed(1)}× faster, the same model`);
console.log(`  resolve + compile ${ms(part('compile'))}`);

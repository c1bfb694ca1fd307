// Benchmark: the cost of armorkit's BPF-LSM programs, in a kernel-lab VM (the host kernel has no BPF-LSM).
//  1. an unconfined process, programs attached vs no programs: open()+close() of a tmpfs file, and connect(); and,
//     as the floor, do-nothing programs on the same two hooks (what any BPF-LSM program costs there);
//  2. a confined process with 8 and 64 file rules vs the same process confined by a profile without file rules.
// Each round measures the cases back to back in the same process (detaching and attaching the programs between
// the two halves of case 1); a ratio is the median over rounds of the ratio within a round, which cancels the
// drift of a TCG guest on a shared host.
// Needs `pnpm exec tsc -b packages/plugin-bpf packages/kernel-lab`. `node bench/bpf.mjs` boots the VM.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BPF_BENCH_ROUNDS ?? 9);
const OPENS = Number(process.env.BPF_BENCH_OPENS ?? 10000);
const CONNECTS = Number(process.env.BPF_BENCH_CONNECTS ?? 10000);
const BLOCKS = Number(process.env.BPF_BENCH_BLOCKS ?? 31);

if (process.argv[2] !== '--in-lab') {
  const { runInLab, formatLabError } = await import('../packages/kernel-lab/dist/index.js');
  const outcome = await runInLab({
    nodeScript: self,
    args: ['--in-lab'],
    cwd: root,
    timeoutMs: 60 * 60 * 1000,
    onStdout: (text) => process.stdout.write(text),
    onStderr: (text) => process.stderr.write(text),
  });
  if (!outcome.ok) {
    process.stderr.write(`${formatLabError(outcome.error)}\n`);
    process.exit(2);
  }
  process.exit(outcome.value.exitCode ?? 1);
}

// ---- inside the VM ----
// The bench measures the loader below the engine, so it takes the plugin's internal modules by path.
const { BpfEnforcer, detachEnforcer, DEFAULT_PIN_DIRECTORY } = await import('../packages/plugin-bpf/dist/loader/enforcer.js');
const { compileBpfProfile } = await import('../packages/plugin-bpf/dist/compile/compile-plan.js');
const { encodeProfile } = await import('../packages/plugin-bpf/dist/encode/encode-profile.js');
const { createEngine, varmorDialect } = await import('../packages/core/dist/index.js');
const { libbpf } = await import('../packages/plugin-bpf/dist/loader/libbpf.js');
const builtinRules = (await import('../packages/builtin-rules/dist/index.js')).default;

// A loop that times one operation N times in this process; it waits for requests on stdin, so profiles can be
// changed between rounds without restarting it.
const LOOP_C = String.raw`
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(void) {
  char line[512], what[32], arg[256];
  struct stat st;
  stat("/proc/self/ns/mnt", &st);
  printf("%lu\n", (unsigned long)st.st_ino);
  fflush(stdout);
  while (fgets(line, sizeof(line), stdin)) {
    long n = 0;
    if (sscanf(line, "%31s %255s %ld", what, arg, &n) != 3) continue;
    double start = now();
    if (!strcmp(what, "open")) {
      for (long i = 0; i < n; i++) { int fd = open(arg, O_RDONLY); if (fd < 0) { perror("open"); return 1; } close(fd); }
    } else {
      int fd = socket(AF_INET, SOCK_DGRAM, 0);
      struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
      inet_pton(AF_INET, arg, &sin.sin_addr);
      for (long i = 0; i < n; i++) if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) { perror("connect"); return 1; }
      close(fd);
    }
    printf("%.1f\n", (now() - start) / n);
    fflush(stdout);
  }
  return 0;
}
`;

// The floor: programs on file_open and socket_connect that return at once, without even looking at the task.
const FLOOR_C = String.raw`
#define SEC(name) __attribute__((section(name), used))
SEC("lsm/file_open") int floor_file_open(unsigned long long *ctx) { return 0; }
SEC("lsm/socket_connect") int floor_socket_connect(unsigned long long *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
`;

const work = mkdtempSync(join(tmpdir(), 'armorkit-bench-bpf-'));
writeFileSync(join(work, 'loop.c'), LOOP_C);
execFileSync('cc', ['-O2', '-o', join(work, 'loop'), join(work, 'loop.c')]);
writeFileSync(join(work, 'floor.bpf.c'), FLOOR_C);
execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-c', join(work, 'floor.bpf.c'), '-o', join(work, 'floor.bpf.o')]);

/** Attaches the do-nothing programs; returns what detaches them. */
function attachFloor() {
  const library = libbpf();
  if ('problem' in library) throw new Error(library.problem);
  const object = library.openObject(join(work, 'floor.bpf.o'));
  if (!object || library.loadObject(object) !== 0) throw new Error('cannot load the floor programs');
  const links = [];
  for (let program = library.nextProgram(object, null); program; program = library.nextProgram(object, program)) {
    const link = library.attach(program);
    if (!link) throw new Error(`cannot attach ${library.programName(program)}`);
    links.push(link);
  }
  return () => {
    for (const link of links) library.destroyLink(link);
    library.closeObject(object);
  };
}
mkdirSync('/dev/shm/armorkit-bench', { recursive: true });
const FILE = '/dev/shm/armorkit-bench/file';
writeFileSync(FILE, 'x\n');

/** A loop process, in a mount namespace of its own when `container`. */
async function startLoop(container) {
  // On one CPU: the guest's other CPU takes the test runner and the kernel's own work.
  const argv = ['taskset', '-c', '1', ...(container ? ['unshare', '-m'] : []), join(work, 'loop')];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const namespace = Number((await lines.next()).value);
  return {
    namespace,
    async time(operation, argument, count) {
      child.stdin.write(`${operation} ${argument} ${count}\n`);
      return Number((await lines.next()).value);
    },
    stop: () => child.stdin.end(),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Profiles through the real pipeline: a privileged EnhanceProtect policy (no base rules) with `count` file rules. */
const engine = createEngine({ plugins: [varmorDialect()], rulePacks: [builtinRules] });
function profileWithFileRules(count) {
  // A mix of exact paths, prefixes, suffixes and file-name globs of varied lengths, none matching the file opened.
  const patterns = Array.from({ length: count }, (_, i) => {
    const word = 'abcdefghijklmnopqrstuvwxyz'.slice(0, 3 + (i % 20));
    return [`/srv/${word}/config-${i}.yaml`, `/opt/${word}-${i}/**`, `/**/${word}-${i}.pem`, `*.${word.slice(0, 2 + (i % 5))}${i}`][i % 4];
  });
  const files = patterns.map((pattern) => `        - {qualifiers: [deny], pattern: "${pattern}", permissions: [read, write]}\n`).join('');
  const text = `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: bench-${count}, namespace: bench}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: BPF
    mode: EnhanceProtect
    enhanceProtect:
      privileged: true
      hardeningRules: [disable-cap-mknod]
${count > 0 ? `      bpfRawRules:\n        files:\n${files}` : ''}`;
  const plan = engine.resolve(engine.parse(text, 'bench.yaml').policies[0]).plan.enforcers.BPF;
  const compiled = compileBpfProfile(plan, { diskDevices: [] });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  if (compiled.value.files.length !== count) throw new Error(`expected ${count} file rules, got ${compiled.value.files.length}`);
  const encoded = encodeProfile(compiled.value);
  if ('problem' in encoded) throw new Error(encoded.problem);
  return encoded.entries;
}

async function measure(loop, rounds) {
  const opens = [];
  const connects = [];
  for (let r = 0; r < rounds; r++) {
    opens.push(await loop.time('open', FILE, OPENS));
    connects.push(await loop.time('connect', '127.0.0.1', CONNECTS));
  }
  return { opens, connects };
}

console.log(`armorkit BPF-LSM benchmark (${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}, kernel-lab TCG), ${ROUNDS} rounds, medians\n`);

// 1. Unconfined, in rounds: no programs, then attached (with another namespace confined by 64 file rules).
const outside = await startLoop(false);
const unconfined = { bare: { opens: [], connects: [] }, floor: { opens: [], connects: [] }, attached: { opens: [], connects: [] } };
let attachMs = 0;
for (let r = 0; r < ROUNDS; r++) {
  detachEnforcer(DEFAULT_PIN_DIRECTORY);
  // Attaching and detaching rewrite kernel text (trampolines), which TCG translates again: warm up first.
  await measure(outside, 1);
  const bare = await measure(outside, 1);
  const detachFloor = attachFloor();
  await measure(outside, 1);
  const floor = await measure(outside, 1);
  detachFloor();
  const started = Date.now();
  const opened = await BpfEnforcer.open();
  if (!opened.ok) throw new Error(opened.error.message);
  attachMs = Date.now() - started;
  const neighbour = await startLoop(true);
  const applied = opened.value.applyProfile(neighbour.namespace, profileWithFileRules(64));
  if (!applied.ok) throw new Error(applied.error.message);
  await measure(outside, 1);
  const attached = await measure(outside, 1);
  neighbour.stop();
  opened.value.removeProfile(neighbour.namespace);
  opened.value.close();
  unconfined.bare.opens.push(bare.opens[0]);
  unconfined.bare.connects.push(bare.connects[0]);
  unconfined.floor.opens.push(floor.opens[0]);
  unconfined.floor.connects.push(floor.connects[0]);
  unconfined.attached.opens.push(attached.opens[0]);
  unconfined.attached.connects.push(attached.connects[0]);
}
outside.stop();
const pairedRatio = (values, baselines) => median(values.map((value, i) => value / baselines[i])).toFixed(3);
console.log(`1. unconfined process (attaching the programs takes ${(attachMs / 1000).toFixed(1)} s here)`);
console.log('                                      open+close ns   connect ns');
console.log(`   no programs attached               ${median(unconfined.bare.opens).toFixed(0).padStart(12)} ${median(unconfined.bare.connects).toFixed(0).padStart(12)}`);
console.log(`   do-nothing programs (the floor)    ${median(unconfined.floor.opens).toFixed(0).padStart(12)} ${median(unconfined.floor.connects).toFixed(0).padStart(12)}`);
console.log(`   armorkit's programs attached       ${median(unconfined.attached.opens).toFixed(0).padStart(12)} ${median(unconfined.attached.connects).toFixed(0).padStart(12)}`);
console.log(
  `   ratio (target <= 1.05)             ${pairedRatio(unconfined.attached.opens, unconfined.bare.opens).padStart(12)} ${pairedRatio(unconfined.attached.connects, unconfined.bare.connects).padStart(12)}`,
);
console.log(`   floor vs no programs               ${pairedRatio(unconfined.floor.opens, unconfined.bare.opens).padStart(12)} ${pairedRatio(unconfined.floor.connects, unconfined.bare.connects).padStart(12)}`);
console.log(
  `   armorkit's programs vs the floor   ${pairedRatio(unconfined.attached.opens, unconfined.floor.opens).padStart(12)} ${pairedRatio(unconfined.attached.connects, unconfined.floor.connects).padStart(12)}\n`,
);

// 2. Confined: the same process under profiles with 0, 8 and 64 file rules, swapped every block of opens (the
// order rotates), after a warm-up. (The kernel's own BPF run-time statistics are no use here: under TCG they do
// not grow when the program is made to do much more work.)
const again = await BpfEnforcer.open();
if (!again.ok) throw new Error(again.error.message);
const profiles = { 0: profileWithFileRules(0), 8: profileWithFileRules(8), 64: profileWithFileRules(64) };
const confined = await startLoop(true);
const block = Math.max(1000, Math.floor(OPENS / 4));
const times = { 0: [], 8: [], 64: [] };
const orders = [[0, 8, 64], [8, 64, 0], [64, 0, 8]];
for (let b = -3; b < BLOCKS; b++) {
  for (const count of orders[(b + 3) % 3]) {
    const result = again.value.applyProfile(confined.namespace, profiles[count]);
    if (!result.ok) throw new Error(result.error.message);
    const time = await confined.time('open', FILE, block);
    if (b >= 0) times[count].push(time);
  }
}
confined.stop();
again.value.removeProfile(confined.namespace);
again.value.close();
console.log(`2. confined process, open+close (${BLOCKS} blocks of ${block})`);
console.log('                                      ns per call   ratio to 0 rules');
for (const count of [0, 8, 64]) {
  console.log(`   ${String(count).padStart(2)} file rules                      ${median(times[count]).toFixed(0).padStart(12)}   ${pairedRatio(times[count], times[0]).padStart(16)}`);
}
console.log('   (target: 64 file rules <= 1.10)');
process.exit(0);

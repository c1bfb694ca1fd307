// The controller at cluster scale, against the API double (packages/plugin-k8s/test/support/api-double.ts) over real
// HTTP: N simulated nodes (their agents are cheap report writers: one ArmorNodeStatus write per node per change, as the
// real agent makes) and P policies. The controller runs in a child process, so its memory is its own.
//   node bench/k8s-scale.mjs [--nodes 5000] [--policies 1000]          (after `make`: uses the built dist/)
// K8S_SCALE_WORKERS=N runs the controller with N workers (default 4); K8S_SCALE_PROFILE=DIR writes its CPU profile;
// K8S_SCALE_DIST=DIR loads the controller from DIR (a copy of packages/plugin-k8s/dist built from another commit, kept
// inside packages/plugin-k8s so that its imports resolve): the baseline of a before/after comparison.
// K8S_SCALE_DEBUG=1 prints the controller's writes after the last node report, the Events stored, that report's
// time on the CPU profiles' clock, and the controller's log.
// Prints: API requests per policy change (controller, agents in total and per node), time from the last node report to
// Ready, the controller's heap and RSS, and the requests and reconciles of an idle resync.
// Targets (issue 15): each agent O(1) requests per change that concerns it; the controller O(policies) per resync, not
// O(nodes × policies); Ready within 2 s of the last node report.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = new URL('../', import.meta.url);
const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const RESYNC_MS = 4_000;
const NODE_STATUSES = '/apis/armorkit.dev/v1alpha1/armornodestatuses';
const POLICIES = '/apis/crd.varmor.org/v1beta1/varmorpolicies';
const PROFILES = '/apis/crd.varmor.org/v1beta1/armorprofiles';

async function controllerChild(kubeconfigPath) {
  const { createEngine, varmorDialect } = await import('@armorkit/core');
  const { apparmor } = await import('@armorkit/plugin-apparmor');
  const builtinRules = (await import('@armorkit/builtin-rules')).default;
  const { KubeConfig } = await import(pathToFileURL(createRequire(new URL('packages/plugin-k8s/package.json', ROOT)).resolve('@kubernetes/client-node')).href);
  const dist = process.env.K8S_SCALE_DIST ? pathToFileURL(`${process.env.K8S_SCALE_DIST.replace(/\/$/, '')}/`) : new URL('packages/plugin-k8s/dist/', ROOT);
  const { startController } = await import(new URL('controller/controller.js', dist).href);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const engine = createEngine({ plugins: [varmorDialect(), apparmor()], rulePacks: [builtinRules] });
  const controller = startController({ engine, kubeConfig, namespace: 'armorkit', verify: false, resync: RESYNC_MS, ...(process.env.K8S_SCALE_WORKERS ? { workers: Number(process.env.K8S_SCALE_WORKERS) } : {}), log: (line) => process.stderr.write(`controller: ${line}\n`) });
  await controller.ready;
  process.send({ type: 'ready' });
  process.on('message', (message) => {
    if (message === 'stats') {
      globalThis.gc?.();
      const memory = process.memoryUsage();
      process.send({ type: 'stats', stats: controller.stats, heapUsed: memory.heapUsed, rss: memory.rss });
    }
    if (message === 'stop') void controller.stop().then(() => process.exit(0));
  });
}

if (process.argv[2] === '--controller') {
  await controllerChild(process.argv[3]);
} else {
  const NODES = argument('nodes', 5000);
  const POLICY_COUNT = argument('policies', 1000);
  // tsx (the CLI's dependency) reads the API double's TypeScript; its ESM entry, whatever require would pick.
  const { tsImport } = await import(pathToFileURL(createRequire(new URL('packages/cli/package.json', ROOT)).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href);
  const { ApiDouble } = await tsImport(new URL('packages/plugin-k8s/test/support/api-double.ts', ROOT).href, import.meta.url);
  const { storedProfileDigest } = await import(new URL('packages/plugin-k8s/dist/node-status/schema.js', ROOT).href);
  const { ProfileSet } = await import(new URL('packages/plugin-k8s/dist/node-status/profile-set.js', ROOT).href);

  const api = await new ApiDouble({ history: 50_000 }).start();
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-k8s-scale-'));
  const kubeconfig = join(directory, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: double\n  cluster:\n    server: ${api.url}\n    insecure-skip-tls-verify: true\nusers:\n- name: controller\n  user:\n    token: controller\ncontexts:\n- name: double\n  context:\n    cluster: double\n    user: controller\ncurrent-context: double\n`,
    { mode: 0o600 },
  );
  const until = async (check) => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  // The API double shares this thread: a poll that read (cloned) every object every 5 ms would slow what it measures,
  // so each pass reads from the first index not yet seen done, up to the next one not done.
  const untilEach = async (count, done) => {
    let next = 0;
    await until(() => {
      while (next < count && done(next)) next += 1;
      return next === count;
    });
  };
  const controllerRequests = () => api.calls.filter((call) => call.token === 'controller' && !(call.method === 'GET' && call.query.get('watch') === 'true'));
  const writesSince = (mark) => controllerRequests().slice(mark).filter((call) => call.method !== 'GET').length;

  // Nodes: each agent's ArmorNodeStatus, naming the set of profiles it applied (the same set on every node here, so
  // it is hashed once per wave, as each real agent hashes its own).
  const heartbeat = () => new Date().toISOString();
  const applied = new ProfileSet();
  let appliedCount = 0;
  let agentRequests = 0;
  const writeNode = (index) => {
    agentRequests += 1;
    api.put(NODE_STATUSES, {
      apiVersion: 'armorkit.dev/v1alpha1',
      kind: 'ArmorNodeStatus',
      metadata: { name: `node-${index}` },
      status: { enforcers: ['AppArmor'], appliedSet: applied.hash, profileCount: appliedCount, failed: [], heartbeatTime: heartbeat() },
    });
  };
  for (let index = 0; index < NODES; index++) writeNode(index);
  agentRequests = 0;

  const child = fork(fileURLToPath(import.meta.url), ['--controller', kubeconfig], { execArgv: ['--expose-gc', ...(process.env.K8S_SCALE_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.K8S_SCALE_PROFILE}`] : [])], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  child.stderr.on('data', (data) => process.env.K8S_SCALE_DEBUG && process.stderr.write(data));
  const next = (type) => new Promise((resolve) => child.once('message', function handle(message) { if (message.type === type) resolve(message); else child.once('message', handle); }));
  await next('ready');

  const policy = (index, rule = 'disable-cap-privileged') => ({
    apiVersion: 'crd.varmor.org/v1beta1',
    kind: 'VarmorPolicy',
    metadata: { name: `p-${index}`, namespace: `ns-${index % 50}` },
    spec: { target: { kind: 'Deployment', name: `app-${index}` }, policy: { enforcer: 'AppArmor', mode: 'EnhanceProtect', enhanceProtect: { hardeningRules: [rule] } } },
  });
  const profileName = (index) => `varmor-ns-${index % 50}-p-${index}`;
  const profileOf = (index) => api.get(PROFILES, profileName(index), `ns-${index % 50}`);
  const statusOf = (index) => api.get(POLICIES, `p-${index}`, `ns-${index % 50}`)?.status;
  /** What every node's agent does once a profile version is out: load it (here: say so) and write its report once. */
  const agentsLoad = (indexes) => {
    for (const index of indexes) {
      const stored = profileOf(index);
      if (applied.digestOf(`${stored.metadata.namespace}/${stored.metadata.name}`) === undefined) appliedCount += 1;
      applied.set(`${stored.metadata.namespace}/${stored.metadata.name}`, storedProfileDigest(stored));
    }
    for (let node = 0; node < NODES; node++) writeNode(node);
    return performance.now();
  };

  // 1. P policies created at once; every node loads them and reports once.
  let mark = controllerRequests().length;
  const started = performance.now();
  for (let index = 0; index < POLICY_COUNT; index++) api.put(POLICIES, policy(index));
  await untilEach(POLICY_COUNT, (index) => profileOf(index) !== undefined);
  const profilesAt = performance.now();
  agentRequests = 0;
  let lastReport = agentsLoad(Array.from({ length: POLICY_COUNT }, (_, index) => index));
  await untilEach(POLICY_COUNT, (index) => statusOf(index)?.ready === true);
  const allReady = performance.now();
  if (process.env.K8S_SCALE_DEBUG) {
    const times = api.calls.filter((call) => call.token === 'controller' && call.method !== 'GET' && call.at >= lastReport).map((call) => `${call.method} ${call.path.split('/').slice(-2).join('/')} +${Math.round(call.at - lastReport)}`);
    console.log(times.join('\n'));
    console.log(`${api.list('/api/v1/events').length} Events stored`);
    // The monotonic clock of CPU profiles (µs), to find the window in K8S_SCALE_PROFILE's and --cpu-prof's output.
    console.log(`last node report at ${Math.round(Number(process.hrtime.bigint() / 1000n) - (performance.now() - lastReport) * 1000)} µs (monotonic), Ready at +${Math.round(allReady - lastReport)} ms`);
  }
  const createWrites = writesSince(mark);
  const createReady = (allReady - lastReport) / 1000;
  console.log(`k8s-scale: ${NODES} nodes, ${POLICY_COUNT} policies (API double over HTTP; controller in its own process)`);
  console.log(`  create ${POLICY_COUNT} policies: ArmorProfiles written in ${((profilesAt - started) / 1000).toFixed(1)} s; Ready ${createReady.toFixed(2)} s after the last node report`);
  console.log(`    requests: controller ${createWrites} writes (${(createWrites / POLICY_COUNT).toFixed(1)} per policy), agents ${agentRequests} (${(agentRequests / NODES).toFixed(1)} per node for ${POLICY_COUNT} profiles)`);

  // 2. One policy changes: its ArmorProfile is rewritten, each node reports the new version once.
  await new Promise((resolve) => setTimeout(resolve, 500));
  mark = controllerRequests().length;
  agentRequests = 0;
  const before = profileOf(0).metadata.resourceVersion;
  api.put(POLICIES, { ...api.get(POLICIES, 'p-0', 'ns-0'), spec: policy(0, 'disable-cap-all').spec });
  await until(() => profileOf(0).metadata.resourceVersion !== before);
  await until(() => statusOf(0)?.ready === false);
  lastReport = agentsLoad([0]);
  await until(() => statusOf(0)?.ready === true);
  const changeReady = (performance.now() - lastReport) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const changeWrites = writesSince(mark);
  console.log(`  one policy changes: Ready ${changeReady.toFixed(2)} s after the last node report`);
  console.log(`    requests: controller ${changeWrites} writes, agents ${agentRequests} in total (${(agentRequests / NODES).toFixed(2)} per node)`);

  // 3. An idle resync: every policy reconciled from the caches, nothing written.
  child.send('stats');
  const beforeResync = await next('stats');
  mark = controllerRequests().length;
  await new Promise((resolve) => setTimeout(resolve, RESYNC_MS + 2_000));
  child.send('stats');
  const afterResync = await next('stats');
  const resyncRequests = controllerRequests().length - mark;
  console.log(`  idle resync: ${afterResync.stats.reconciles - beforeResync.stats.reconciles} reconciles for ${POLICY_COUNT} policies, ${resyncRequests} requests`);
  console.log(`  controller memory: heap ${(afterResync.heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(afterResync.rss / 2 ** 20).toFixed(0)} MiB (${(afterResync.heapUsed / NODES / POLICY_COUNT).toFixed(0)} B per node × policy)`);
  console.log(`  targets: agents O(1) per change ${agentRequests / NODES <= 1 ? 'met' : 'MISSED'}; resync O(policies) ${resyncRequests === 0 ? 'met' : 'MISSED'}; Ready within 2 s ${changeReady < 2 ? 'met' : 'MISSED'} for one change, ${createReady < 2 ? 'met' : 'MISSED'} for ${POLICY_COUNT} at once`);
  child.send('stop');
  await new Promise((resolve) => child.on('exit', resolve));
  await api.close();
  rmSync(directory, { recursive: true, force: true });
}

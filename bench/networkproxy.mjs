// The NetworkProxy data plane under load: wrk (-t1) through armorkit's proxy against wrk direct, HTTP keep-alive at
// c1 and c32 (every request judged by an L7 rule, spoofing protection on) and TLS passthrough (judged by SNI), with
// Debian's haproxy (TCP, transparent: SO_ORIGINAL_DST), nginx (reverse proxy) and squid (intercept) as peers, each
// behind the same capture rule (vArmor's iptables REDIRECT, applied with applyCapture) and each on one core (haproxy
// nbthread 1, nginx worker_processes 1, squid workers 1, armorkit one process: the `cores` column). Two network
// namespaces joined by a veth; the origin is nginx in the outside one. Rounds interleave the cases; medians of req/s,
// p99 latency and the proxy's CPU time per request (user and sys, its whole process tree) are printed with every
// case's ratio to direct.
// Needs root, wrk, nginx, haproxy, squid (Makefile APT_PACKAGES) and a build (`pnpm run build-all`):
//   node bench/networkproxy.mjs [--rounds N] [--seconds S] [--only armorkit,haproxy] [--cpu-prof DIR]
// --only keeps the cases whose name starts with one of the words (direct always runs); --cpu-prof writes a V8 CPU
// profile of the armorkit proxy (stopped with SIGTERM at the end) into DIR.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyCapture, removeCapture } from '@armorkit/plugin-networkproxy/capture';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const textArgument = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const ROUNDS = argument('--rounds', 5);
const ONLY = textArgument('--only')?.split(',');
const CPU_PROFILE_DIR = textArgument('--cpu-prof');
const SECONDS = argument('--seconds', 3);
const CLI = new URL('../packages/cli/dist/bin.js', import.meta.url).pathname;
const WRK_UID = 65534;
const SQUID_UID = Number(execFileSync('id', ['-u', 'proxy'], { encoding: 'utf8' }).trim());
const ADMIN_PORT = 15000;

const id = randomBytes(3).toString('hex');
const clientNs = `akbc-${id}`;
const serverNs = `akbs-${id}`;
const SERVER = '10.78.0.2';
const NAME = 'bench.example';
const dir = mkdtempSync(join(tmpdir(), 'armorkit-bench-np-'));
chmodSync(dir, 0o755);
const children = [];

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}
const inNs = (ns, argv) => ['netns', 'exec', ns, ...argv];

function cleanUp() {
  // Each child leads its own process group: nginx's workers go with their master.
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const ns of [clientNs, serverNs]) {
    try {
      run('ip', ['netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
  rmSync(`/etc/netns/${clientNs}`, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
process.once('exit', cleanUp);
process.once('SIGINT', () => process.exit(130));

function start(ns, argv) {
  const child = spawn('ip', inNs(ns, argv), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.output = () => output;
  children.push(child);
  return child;
}

async function listening(ns, port) {
  for (let waited = 0; waited < 20_000; waited += 100) {
    if (run('ip', inNs(ns, ['ss', '-ltnH', `sport = :${port}`])).trim() !== '') return;
    await sleep(100);
  }
  throw new Error(`nothing listens on port ${port} in ${ns}`);
}

function setUpNamespaces() {
  run('ip', ['netns', 'add', clientNs]);
  run('ip', ['netns', 'add', serverNs]);
  run('ip', ['link', 'add', `akb${id}a`, 'type', 'veth', 'peer', 'name', `akb${id}b`]);
  run('ip', ['link', 'set', `akb${id}a`, 'netns', clientNs]);
  run('ip', ['link', 'set', `akb${id}b`, 'netns', serverNs]);
  run('ip', ['-n', clientNs, 'addr', 'add', '10.78.0.1/24', 'dev', `akb${id}a`]);
  run('ip', ['-n', serverNs, 'addr', 'add', `${SERVER}/24`, 'dev', `akb${id}b`]);
  for (const [ns, device] of [
    [clientNs, `akb${id}a`],
    [serverNs, `akb${id}b`],
  ]) {
    run('ip', ['-n', ns, 'link', 'set', device, 'up']);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  mkdirSync(`/etc/netns/${clientNs}`, { recursive: true });
  writeFileSync(`/etc/netns/${clientNs}/hosts`, `127.0.0.1 localhost\n${SERVER} ${NAME}\n`);
}

async function startOrigin() {
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME}`, '-keyout', join(dir, 'origin.key'), '-out', join(dir, 'origin.crt')]);
  writeFileSync(
    join(dir, 'origin.conf'),
    `worker_processes 1; daemon off; pid ${dir}/origin.pid; error_log ${dir}/origin-error.log;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 10000000; keepalive_timeout 120s;
  server { listen 80; listen 443 ssl; ssl_certificate ${dir}/origin.crt; ssl_certificate_key ${dir}/origin.key;
    location / { return 200 "hello from the origin\\n"; } } }
`,
  );
  start(serverNs, ['nginx', '-c', join(dir, 'origin.conf'), '-p', dir, '-e', join(dir, 'origin-error.log')]);
  await listening(serverNs, 80);
  await listening(serverNs, 443);
}

/** The proxies, each on its own port; a case's capture rule sends traffic to its port and lets its UID out. */
async function startProxies() {
  const table = {
    defaultAction: 'deny',
    l4Rules: [],
    httpRules: [
      { index: 0, pointer: '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/0', action: 'allow', audit: false, hosts: [NAME], ports: [[80, 80]], paths: [{ prefix: '/' }], methods: ['GET'] },
      { index: 1, pointer: '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/1', action: 'allow', audit: false, hosts: [NAME], ports: [[443, 443]] },
    ],
  };
  const config = { version: 1, proxyPort: 15001, proxyAdminPort: ADMIN_PORT, proxyUID: 0, decisions: table, spoofingProtection: { enabled: true, maxCacheSeconds: 30 }, audit: { profileName: 'bench', events: { to: 'stderr' } } };
  writeFileSync(join(dir, 'armorkit.json'), JSON.stringify(config));
  const profile = CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROFILE_DIR] : [];
  const armorkit = start(clientNs, [process.execPath, ...profile, CLI, 'proxy', '--config', join(dir, 'armorkit.json')]);

  writeFileSync(
    join(dir, 'haproxy.cfg'),
    `global\n  maxconn 4000\n  nbthread 1\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 120s\n  timeout server 120s\nfrontend relay\n  bind :15002\n  default_backend original\nbackend original\n  server destination 0.0.0.0:0\n`,
  );
  const haproxy = start(clientNs, ['haproxy', '-f', join(dir, 'haproxy.cfg'), '-db']);

  writeFileSync(
    join(dir, 'reverse.conf'),
    `user root; worker_processes 1; daemon off; pid ${dir}/reverse.pid; error_log ${dir}/reverse-error.log;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 10000000; upstream origin { server ${SERVER}:80; keepalive 64; }
  server { listen 15003; location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
`,
  );
  const nginx = start(clientNs, ['nginx', '-c', join(dir, 'reverse.conf'), '-p', dir, '-e', join(dir, 'reverse-error.log')]);

  const squidDir = join(dir, 'squid');
  mkdirSync(squidDir);
  chmodSync(squidDir, 0o777);
  writeFileSync(
    join(dir, 'squid.conf'),
    `http_port 127.0.0.1:3128\nhttp_port 15004 intercept\nhttp_access allow all\ncache deny all\naccess_log none\ncache_store_log none\ncache_log ${squidDir}/cache.log\npid_filename ${squidDir}/squid.pid\ncoredump_dir ${squidDir}\ncache_effective_user proxy\nhost_verify_strict off\nshutdown_lifetime 0 seconds\nworkers 1\n`,
  );
  const squid = start(clientNs, ['squid', '-N', '-f', join(dir, 'squid.conf')]);

  await Promise.all([15001, 15002, 15003, 15004].map((port) => listening(clientNs, port)));
  return { armorkit, haproxy, nginx, squid };
}

/** utime and stime (clock ticks) of a process and every descendant (threads are counted in their process). */
function treeTicks(rootPid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), user: Number(fields[11]), system: Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (pid) => {
    for (let at = pid; at > 1; at = stats.get(at)?.ppid ?? 0) if (at === rootPid) return true;
    return false;
  };
  const ticks = { user: 0, system: 0 };
  for (const [pid, stat] of stats) {
    if (!inTree(pid)) continue;
    ticks.user += stat.user;
    ticks.system += stat.system;
  }
  return ticks;
}
const TICK_SECONDS = 1 / Number(run('getconf', ['CLK_TCK']).trim());

function wrk(url, connections) {
  const output = run('ip', inNs(clientNs, ['setpriv', `--reuid=${WRK_UID}`, `--regid=${WRK_UID}`, '--clear-groups', '--', 'wrk', '-t1', `-c${connections}`, `-d${SECONDS}s`, '--latency', url]), { timeout: (SECONDS + 30) * 1000 });
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(output)?.[0];
  const p99Text = /\s99%\s+([\d.]+)(us|ms|s)/.exec(output);
  const p99 = p99Text ? Number(p99Text[1]) * { us: 1e-3, ms: 1, s: 1000 }[p99Text[2]] : NaN;
  return { rate, requests, p99, errors };
}

const median = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespaces, iptables)');
  setUpNamespaces();
  await startOrigin();
  const proxies = await startProxies();
  const http = `http://${NAME}/`;
  const https = `https://${NAME}/`;
  const all = [
    { name: 'direct', protocol: 'http', url: http },
    { name: 'armorkit (L7 per request)', protocol: 'http', url: http, port: 15001, uid: 0, process: proxies.armorkit, cores: 1 },
    { name: 'haproxy (TCP, transparent)', protocol: 'http', url: http, port: 15002, uid: 0, process: proxies.haproxy, cores: 1 },
    { name: 'nginx (reverse proxy)', protocol: 'http', url: http, port: 15003, uid: 0, process: proxies.nginx, cores: 1 },
    { name: 'squid (intercept)', protocol: 'http', url: http, port: 15004, uid: SQUID_UID, process: proxies.squid, cores: 1 },
    { name: 'direct', protocol: 'tls', url: https },
    { name: 'armorkit (SNI passthrough)', protocol: 'tls', url: https, port: 15001, uid: 0, process: proxies.armorkit, cores: 1 },
    { name: 'haproxy (TCP, transparent)', protocol: 'tls', url: https, port: 15002, uid: 0, process: proxies.haproxy, cores: 1 },
  ];
  const cases = all.filter((item) => item.name === 'direct' || !ONLY || ONLY.some((word) => item.name.startsWith(word)));
  const results = new Map();
  let capture;
  const useCapture = async (next) => {
    if (capture) {
      const removed = await removeCapture(clientNs, capture);
      if (!removed.ok) throw new Error(JSON.stringify(removed.errors));
      capture = undefined;
    }
    if (next) {
      const applied = await applyCapture(clientNs, next);
      if (!applied.ok) throw new Error(JSON.stringify(applied.errors));
      capture = next;
    }
  };
  // One short warm-up per case (JIT, connection pools, the name cache), then interleaved rounds.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const item of cases) {
      await useCapture(item.port ? { proxyUID: item.uid, proxyPort: item.port, proxyAdminPort: ADMIN_PORT } : undefined);
      for (const connections of [1, 32]) {
        const key = `${item.protocol}|${item.name}|${connections}`;
        const before = item.process ? treeTicks(item.process.pid) : undefined;
        const measured = wrk(item.url, connections);
        const after = item.process ? treeTicks(item.process.pid) : undefined;
        const perRequest = (field) => (before && after ? ((after[field] - before[field]) * TICK_SECONDS) / measured.requests : NaN);
        const user = perRequest('user');
        const system = perRequest('system');
        const cpu = user + system;
        if (measured.errors) console.log(`  ${key}: ${measured.errors}`);
        if (round === 0) continue;
        const list = results.get(key) ?? [];
        list.push({ ...measured, cpu, user, system });
        results.set(key, list);
      }
    }
    if (round > 0) console.log(`round ${round}/${ROUNDS} done`);
  }
  await useCapture(undefined);
  console.log(`\nwrk -t1, ${SECONDS} s per run, ${ROUNDS} interleaved rounds, medians (shared machine: see CPU per request too)`);
  for (const protocol of ['http', 'tls']) {
    console.log(`\n${protocol === 'http' ? 'HTTP/1.1 keep-alive' : 'TLS passthrough (HTTPS keep-alive)'}`);
    console.log('case                              cores  conns      req/s   × direct   p99 ms   proxy CPU µs/req (user + sys)');
    for (const connections of [1, 32]) {
      const direct = median((results.get(`${protocol}|direct|${connections}`) ?? []).map((result) => result.rate));
      for (const item of cases.filter((entry) => entry.protocol === protocol)) {
        const list = results.get(`${protocol}|${item.name}|${connections}`) ?? [];
        const rate = median(list.map((result) => result.rate));
        const p99 = median(list.map((result) => result.p99));
        const cpu = median(list.map((result) => result.cpu)) * 1e6;
        const user = median(list.map((result) => result.user)) * 1e6;
        const system = median(list.map((result) => result.system)) * 1e6;
        const cpuText = Number.isFinite(cpu) ? `${cpu.toFixed(1).padStart(8)} (${user.toFixed(1)} + ${system.toFixed(1)})` : '-'.padStart(8);
        console.log(
          `${item.name.padEnd(33)} ${String(item.cores ?? '-').padStart(5)} ${String(connections).padStart(6)} ${rate.toFixed(0).padStart(10)} ${(rate / direct).toFixed(2).padStart(10)} ${p99.toFixed(2).padStart(8)}   ${cpuText}`,
        );
      }
    }
  }
  const output = proxies.armorkit.output();
  const denials = output.split('\n').filter((line) => line.includes('"DENIED"'));
  if (denials.length > 0) console.log(`\nnote: the armorkit proxy reported ${denials.length} denials during the run, the first: ${denials[0]}`);
  if (CPU_PROFILE_DIR) {
    proxies.armorkit.kill('SIGTERM');
    await new Promise((resolve) => proxies.armorkit.once('exit', resolve));
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench/networkproxy: ${error instanceof Error ? error.message : String(error)}`);
    for (const child of children) if (child.exitCode !== null) console.error(`  ${child.spawnargs.slice(3).join(' ')} exited ${child.exitCode}: ${child.output().trim().slice(-500)}`);
    process.exit(1);
  },
);

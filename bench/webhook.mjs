// Admission webhook latency (p50, p99) and reviews/s at 1, 16 and 64 concurrent clients over HTTPS on loopback
// (keep-alive agents, the server's certificate verified against a CA made for the run), beside an empty HTTPS handler
// measured in the same run (the floor). Rounds interleave the cases so a burst of load from elsewhere falls on all.
// The clients run in a child process, so the server's process CPU time (user+sys) per review is its own.
//   node bench/webhook.mjs [--seconds S] [--rounds N]        (after `make`: uses the built dist/)
// Targets (issue 13): p99 at 64 clients within 2x the floor's, and at least 2,000 reviews/s.
import { fork } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const CONCURRENCY = [1, 16, 64];

// ---- the client side (a child process): N loops posting reviews for a while, latencies back to the parent ----
// One keep-alive agent per server and client count, kept across rounds: a cell measures reviews on open connections,
// as the API server sends them, not 64 TLS handshakes.
const agents = new Map();

async function runClients({ port, ca, body, distinct, concurrency, milliseconds, path = '/validate' }) {
  const key = `${port}|${concurrency}`;
  if (!agents.has(key)) agents.set(key, new Agent({ keepAlive: true, maxSockets: concurrency, ca, servername: 'localhost' }));
  const agent = agents.get(key);
  const latencies = [];
  let counter = 0;
  let failures = 0;
  const post = (text) =>
    new Promise((resolve) => {
      const started = performance.now();
      const outgoing = request(
        { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
        (response) => {
          let answer = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (answer += chunk));
          response.on('end', () => {
            if (response.statusCode !== 200 || !answer.includes('"allowed":true')) failures++;
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      outgoing.on('error', () => {
        failures++;
        resolve();
      });
      outgoing.end(text);
    });
  const until = performance.now() + milliseconds;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await post(distinct ? body.replaceAll('__N__', String(counter++)) : body);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies, seconds, failures };
}

if (process.argv[2] === '--client') {
  process.on('message', async (job) => process.send(await runClients(job)));
} else {
  await main();
}

// ---- the server side ----
function argument(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

async function testCertificates(directory) {
  x509.cryptoProvider.set(webcrypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=armorkit bench CA',
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=armorkit-webhook',
    issuer: 'CN=armorkit bench CA',
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }])],
  });
  const files = { certFile: join(directory, 'tls.crt'), keyFile: join(directory, 'tls.key') };
  writeFileSync(files.certFile, cert.toString('pem'));
  writeFileSync(files.keyFile, x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), { mode: 0o600 });
  return { ...files, ca: ca.toString('pem') };
}

/** The floor: Node's HTTPS server with the same certificate, reading the body and answering a fixed review. */
function emptyServer(certificates) {
  const answer = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u', allowed: true } });
  const server = createServer({ cert: readFileSync(certificates.certFile), key: readFileSync(certificates.keyFile), minVersion: 'TLSv1.2', keepAliveTimeout: 60_000 }, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => new Promise((done) => server.close(done)) })));
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const { createEngine, varmorDialect } = await import('@armorkit/core');
  const { default: builtinRules } = await import('@armorkit/builtin-rules');
  const { default: apparmor } = await import('@armorkit/plugin-apparmor');
  const { default: seccomp } = await import('@armorkit/plugin-seccomp');
  const { default: bpf } = await import('@armorkit/plugin-bpf');
  const { startWebhookServer, validatingWebhook } = await import('@armorkit/plugin-k8s');

  // Many short rounds rather than a few long ones: a burst of other work spoils one round's cell, and the median of
  // the rounds passes over it.
  const seconds = argument('--seconds', 0.5);
  const rounds = argument('--rounds', 9);
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-bench-webhook-'));
  const certificates = await testCertificates(directory);
  const golden = readFileSync(new URL('../packages/plugin-k8s/test/fixtures/admission/create-varmorpolicy.json', import.meta.url), 'utf8');
  // The same review each time (the verdict cache answers), and one naming a new policy each time (every one checked).
  const fixed = JSON.stringify(JSON.parse(golden));
  const distinct = fixed.replaceAll('"demo-4"', '"demo-__N__"');

  const engine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf()], rulePacks: [builtinRules] });
  const started = await startWebhookServer({
    certFile: certificates.certFile,
    keyFile: certificates.keyFile,
    listen: { host: '127.0.0.1', port: 0 },
    routes: { '/validate': validatingWebhook(engine), '/allow': async (review) => ({ uid: review.uid, allowed: true }) },
  });
  if ('problem' in started) throw new Error(started.problem);
  const armorkit = started.server;
  const floor = await emptyServer(certificates);

  const cases = [
    { label: 'floor: empty HTTPS handler', port: floor.port, body: fixed, distinct: false },
    { label: 'armorkit server, allow-all handler', port: armorkit.address.port, body: fixed, distinct: false, path: '/allow' },
    { label: 'validate, same policy (cached verdict)', port: armorkit.address.port, body: fixed, distinct: false },
    { label: 'validate, a new policy each review', port: armorkit.address.port, body: distinct, distinct: true },
  ];
  const client = fork(fileURLToPath(import.meta.url), ['--client']);
  const job = (payload) =>
    new Promise((resolve) => {
      client.once('message', resolve);
      client.send(payload);
    });
  const results = new Map();
  for (const c of cases) for (const n of CONCURRENCY) results.set(`${c.label}|${n}`, { p50: [], p99: [], rates: [], cpu: [], failures: 0 });

  console.log(`webhook: ${rounds} rounds x ${cases.length} cases x ${CONCURRENCY.join('/')} clients, ${seconds} s each; review ${Buffer.byteLength(fixed)} bytes (a Seccomp VarmorPolicy CREATE)`);
  console.log('each figure is the median over the rounds of that round\'s p50, p99, reviews/s and server CPU per review');
  // A short warm-up of each case and client count (it opens the connections), not counted.
  for (const c of cases) for (const n of CONCURRENCY) await job({ port: c.port, ca: certificates.ca, body: c.body, distinct: c.distinct, concurrency: n, milliseconds: 200, path: c.path });
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length];
      for (const n of CONCURRENCY) {
        const cpuBefore = process.cpuUsage();
        const outcome = await job({ port: c.port, ca: certificates.ca, body: c.body, distinct: c.distinct, concurrency: n, milliseconds: seconds * 1000, path: c.path });
        const cpu = process.cpuUsage(cpuBefore);
        const cell = results.get(`${c.label}|${n}`);
        const sorted = outcome.latencies.sort((a, b) => a - b);
        cell.p50.push(percentile(sorted, 0.5));
        cell.p99.push(percentile(sorted, 0.99));
        cell.rates.push(outcome.latencies.length / outcome.seconds);
        cell.cpu.push((cpu.user + cpu.system) / 1000 / Math.max(1, outcome.latencies.length));
        cell.failures += outcome.failures;
      }
    }
  }
  client.kill();

  // CPU per review says what one core could answer whatever else the machine runs: 1000 / (ms per review).
  console.log(`${'case'.padEnd(40)} ${'clients'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'reviews/s'.padStart(10)} ${'server CPU ms/review'.padStart(21)} ${'per core/s'.padStart(10)}`);
  const summary = new Map();
  for (const c of cases) {
    for (const n of CONCURRENCY) {
      const cell = results.get(`${c.label}|${n}`);
      const row = { p50: median(cell.p50), p99: median(cell.p99), rate: median(cell.rates), cpu: median(cell.cpu) };
      summary.set(`${c.label}|${n}`, row);
      const failed = cell.failures > 0 ? `  ${cell.failures} FAILED` : '';
      console.log(
        `${c.label.padEnd(40)} ${String(n).padStart(7)} ${row.p50.toFixed(2).padStart(8)} ${row.p99.toFixed(2).padStart(8)} ${row.rate.toFixed(0).padStart(10)} ${row.cpu.toFixed(3).padStart(21)} ${(1000 / row.cpu).toFixed(0).padStart(10)}${failed}`,
      );
    }
  }
  const floor64 = summary.get(`${cases[0].label}|64`);
  for (const c of cases.slice(1)) {
    const row = summary.get(`${c.label}|64`);
    const ratio = row.p99 / floor64.p99;
    console.log(
      `${c.label} at 64 clients: p99 ${ratio.toFixed(2)}x the floor (target <= 2: ${ratio <= 2 ? 'met' : 'missed'}), ` +
        `${row.rate.toFixed(0)} reviews/s (target >= 2000: ${row.rate >= 2000 ? 'met' : 'missed'})`,
    );
  }
  console.log('(wall-clock figures on a shared 2-core machine: compare the ratios within this run, and the CPU column, more than the absolute numbers)');
  await armorkit.close(100);
  await floor.close();
  await engine.close();
  rmSync(directory, { recursive: true, force: true });
}

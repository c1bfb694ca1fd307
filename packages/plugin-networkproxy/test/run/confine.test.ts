// The NetworkProxy step of `armorkit run` on the host kernel (root): the run's namespace with IPv4 and IPv6 (ULA)
// behind the capture rules, TLS interception with the run's own CA trusted by the command's clients through the
// environment, and a run SIGKILLed mid-way whose namespace, veth, host rules, proxy and command the next run removes.
// The "outside" is a namespace of the test's own, joined to the host by a veth (documentation addresses only).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfinementReport, ConfinementStep } from '@armorkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig } from '../../src/config/proxy-config.js';
import { confineWithNetworkProxy } from '../../src/run/confine.js';
import { RUN_NAMESPACE_PREFIX, remainingHostRules, runNamespaces } from '../../src/run/run-network.js';
import { RUNS_DIRECTORY } from '../../src/run/run-record.js';
import { makeTestCa, type TestCa } from '../netns/test-ca.js';
import { enhanceProtectPolicy, networkProxyTester } from '../support/tester.js';

const canRun = process.getuid?.() === 0 && ['ip', 'iptables', 'ip6tables', 'nsenter', 'setpriv', 'curl'].every((tool) => spawnSync(tool, ['--version']).error === undefined);
const id = randomBytes(2).toString('hex');
const block = 4 * (1 + (parseInt(id, 16) % 60));
const UP4 = `203.0.113.${block + 2}`;
const HOST4 = `203.0.113.${block + 1}`;
const UP6 = `2001:db8:${id}::2`;
const HOST6 = `2001:db8:${id}::1`;
// How the proxy prints UP6 in its reports: the canonical text (RFC 5952), in brackets; `id` may start with 0.
const UP6_REPORTED = new URL(`http://[${UP6}]/`).hostname;
const UPSTREAM_NS = `akrt-${id}`;
const tester = networkProxyTester();

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'pipe' });
};

let ca: TestCa;
beforeAll(async () => {
  if (!canRun) return;
  ca = await makeTestCa([], [UP4, UP6]);
  ip('netns', 'add', UPSTREAM_NS);
  ip('link', 'add', `akrt${id}h`, 'type', 'veth', 'peer', 'name', `akrt${id}n`, 'netns', UPSTREAM_NS);
  ip('addr', 'add', `${HOST4}/30`, 'dev', `akrt${id}h`);
  ip('addr', 'add', `${HOST6}/64`, 'dev', `akrt${id}h`, 'nodad');
  ip('link', 'set', `akrt${id}h`, 'up');
  ip('-n', UPSTREAM_NS, 'addr', 'add', `${UP4}/30`, 'dev', `akrt${id}n`);
  ip('-n', UPSTREAM_NS, 'addr', 'add', `${UP6}/64`, 'dev', `akrt${id}n`, 'nodad');
  ip('-n', UPSTREAM_NS, 'link', 'set', `akrt${id}n`, 'up');
  ip('-n', UPSTREAM_NS, 'route', 'add', 'default', 'via', HOST4);
  ip('-n', UPSTREAM_NS, '-6', 'route', 'add', 'default', 'via', HOST6);
  const fixture = new URL('./fixtures/run-upstream.mjs', import.meta.url).pathname;
  const server = spawn('ip', ['netns', 'exec', UPSTREAM_NS, process.execPath, fixture, JSON.stringify({ addresses: [UP4, UP6], certFile: ca.certFile, keyFile: ca.keyFile })], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    server.stdout.once('data', () => resolve());
    server.once('exit', (code) => reject(new Error(`the upstream exited (${code})`)));
  });
}, 60_000);

afterAll(() => {
  if (!canRun) return;
  try {
    for (const pid of execFileSync('ip', ['netns', 'pids', UPSTREAM_NS], { encoding: 'utf8' }).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    ip('netns', 'del', UPSTREAM_NS);
  } catch {
    // Gone already.
  }
});

/** The command under the step, as `armorkit run` starts it (the step's prefix, then `sh -c script`). */
function runUnder(step: ConfinementStep, script: string, environment: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const words = [...step.prefix([]), 'sh', '-c', script];
  return new Promise((resolve) => {
    const child = spawn(words[0]!, words.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: environment });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function confined(config: ProxyConfig): Promise<ConfinementStep> {
  const artifact = tester.compile(enhanceProtectPolicy('defaultAction: allow'), 'NetworkProxy');
  const step = await confineWithNetworkProxy({ ...artifact, data: config });
  if (!step.ok) throw new Error(JSON.stringify(step.errors));
  return step.value;
}

async function eventsOf(reports: AsyncIterable<ConfinementReport> | undefined): Promise<string[]> {
  const lines: string[] = [];
  for await (const report of reports ?? []) {
    if (report.kind === 'event') lines.push(`${report.event.action} ${String((report.event.event as Record<string, unknown>).destination)}`);
  }
  return lines;
}

const curl = (url: string) => `curl -sS -g -m 10 -o /dev/null -w '%{http_code}\\n' '${url}'`;

describe.skipIf(!canRun)('armorkit run with NetworkProxy: the run namespace', { timeout: 120_000 }, () => {
  it('has IPv6 (a ULA /64, NAT on the host) behind the ip6tables capture: a v6 CIDR allow, every other connection denied and reported', async () => {
    const policy = enhanceProtectPolicy(`
defaultAction: deny
rules:
  - qualifiers: [allow]
    cidr: 2001:db8:${id}::/64
    ports: [{port: 80}]`);
    const step = await confined(tester.compile(policy, 'NetworkProxy').data);
    expect(step.summary).toMatch(/^network namespace armorkit-run-[0-9a-f]{6} \(10\.213\.\d+\.\d+, fd61:726d:6b69:[0-9a-f]+::2, NAT through akr[0-9a-f]{6}h 10\.213\.\d+\.\d+, fd61:726d:6b69:[0-9a-f]+::1\)/);
    let result;
    try {
      result = await runUnder(step, [`curl -sS -g -m 10 'http://[${UP6}]/v6'`, curl(`http://${UP4}/v4`), curl(`https://[${UP6}]/tls`), 'ip -6 -br addr show scope global'].join('; '));
    } finally {
      await step.cleanup?.();
    }
    const [seen, v4, tls, address] = result.stdout.trim().split('\n');
    expect(seen).toBe('saw GET /v6 x-injected=- tls=false');
    expect(v4).toBe('403');
    expect(tls).toBe('000');
    expect(address).toMatch(/ fd61:726d:6b69:[0-9a-f]+::2\/64 *$/);
    expect(await eventsOf(step.reports)).toEqual([`DENIED ${UP4}:80`, `DENIED ${UP6_REPORTED}:443`]);
  });

  it('intercepts TLS with a CA of its own, which curl, Node and Python in the command trust through the environment; header secrets from ARMORKIT_SECRET_*', async () => {
    const policy = enhanceProtectPolicy(
      `
defaultAction: allow
httpRules:
  - qualifiers: [deny]
    match: {hosts: ['${UP4}'], paths: [{prefix: /private}]}`,
      `    networkProxyConfig:
      mitm:
        domains: ['${UP4}']
        headerMutations:
          - domain: '${UP4}'
            headers: [{name: X-Injected, secretRef: {name: run-tokens, key: api}}]
`,
    );
    const compiled = tester.compile(policy, 'NetworkProxy').data;
    const previous = process.env.ARMORKIT_SECRET_RUN_TOKENS_API;
    process.env.ARMORKIT_SECRET_RUN_TOKENS_API = 'from-the-environment';
    let step: ConfinementStep;
    try {
      // The test's upstream certificate is of a private CA: the proxy trusts it besides the system's.
      step = await confined({ ...compiled, mitm: { ...compiled.mitm!, upstreamCaFiles: [ca.caFile] } });
    } finally {
      if (previous === undefined) delete process.env.ARMORKIT_SECRET_RUN_TOKENS_API;
      else process.env.ARMORKIT_SECRET_RUN_TOKENS_API = previous;
    }
    const bundle = /trusted through SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, CURL_CA_BUNDLE = ([^\s;]+)/.exec(step.summary)?.[1];
    expect(bundle).toMatch(new RegExp(`^${RUNS_DIRECTORY}/[0-9a-f]{6}/ca-certificates.crt$`));
    const keyFile = /the run's own CA (\S+)\/ca\.crt/.exec(step.summary)?.[1];
    const node = `${process.execPath} -e "require('node:https').get('https://${UP4}/node', (r) => r.pipe(process.stdout)).on('error', (e) => console.log(e.code))"`;
    const python = `python3 -c "import urllib.request; print(urllib.request.urlopen('https://${UP4}/python').read().decode().strip())"`;
    let result;
    let keyMode = '';
    try {
      keyMode = execFileSync('stat', ['-c', '%a %u', `${keyFile}/ca.key`], { encoding: 'utf8' }).trim();
      result = await runUnder(step, [`curl -sS -m 10 https://${UP4}/curl`, curl(`https://${UP4}/private`), node, python, `curl -sS -m 10 --cacert ${ca.caFile} https://${UP4}/own-trust; echo "own $?"`].join('; '));
    } finally {
      await step.cleanup?.();
    }
    expect(keyMode).toBe('600 1337');
    expect(result.stdout.split('\n')).toEqual([
      'saw GET /curl x-injected=from-the-environment tls=true',
      '403',
      'saw GET /node x-injected=from-the-environment tls=true',
      'saw GET /python x-injected=from-the-environment tls=true',
      // A client that trusts only the server's real CA refuses the run's leaf: it is the proxy answering.
      'own 60',
      '',
    ]);
    expect(existsSync(bundle!)).toBe(false);
  });

  it('a run SIGKILLed mid-way leaves its namespace, veth, host rules, proxy and command; the next run removes them all', async () => {
    const policy = enhanceProtectPolicy('defaultAction: allow');
    const script = `
      import { confineWithNetworkProxy } from ${JSON.stringify(new URL('../../dist/run/confine.js', import.meta.url).pathname)};
      import { spawn } from 'node:child_process';
      const artifact = JSON.parse(process.argv[2]);
      const step = await confineWithNetworkProxy(artifact);
      if (!step.ok) { console.log(JSON.stringify(step.errors)); process.exit(1); }
      const words = [...step.value.prefix([]), 'sleep', '600'];
      const child = spawn(words[0], words.slice(1), { stdio: 'ignore', detached: true });
      console.log(step.value.summary.split(' ')[2] + ' ' + child.pid);
    `;
    const artifact = tester.compile(policy, 'NetworkProxy');
    const file = join(mkdtempSync(join(tmpdir(), 'armorkit-run-kill-')), 'run.mjs');
    writeFileSync(file, script);
    // The built module (as the CLI's bundle runs it): one Node process, which the SIGKILL ends without a cleanup.
    const killed = spawn(process.execPath, [file, JSON.stringify(artifact)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let output = '';
      killed.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('\n')) resolve(output.trim());
      });
      killed.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      killed.once('exit', (code) => reject(new Error(`the run exited (${code}) first: ${output}`)));
    });
    const [namespace, commandPid] = line.split(' ');
    expect(namespace).toMatch(new RegExp(`^${RUN_NAMESPACE_PREFIX}[0-9a-f]{6}$`));
    const runId = namespace!.slice(RUN_NAMESPACE_PREFIX.length);
    const exited = new Promise((resolve) => killed.once('exit', resolve));
    killed.kill('SIGKILL');
    await exited;
    expect(runNamespaces()).toContain(namespace);
    expect(remainingHostRules(runId).length).toBeGreaterThan(0);
    expect(existsSync(`/proc/${commandPid}`)).toBe(true);

    // The next run reaps the abandoned one before making its own.
    const next = await confined(artifact.data);
    await next.cleanup?.();
    expect(runNamespaces()).not.toContain(namespace);
    expect(remainingHostRules(runId)).toEqual([]);
    expect(execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' })).not.toContain(`akr${runId}h`);
    expect(existsSync(`/proc/${commandPid}`) && readFileSync(`/proc/${commandPid}/stat`, 'utf8').split(' ')[2] !== 'Z').toBe(false);
    expect(existsSync(`${RUNS_DIRECTORY}/${runId}.json`)).toBe(false);
  });
});

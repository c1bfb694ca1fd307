// `armorkit run` with a NetworkProxy policy on the host kernel (root: namespaces, veths, iptables nat): the command in
// its own network namespace behind the capture rules and the policy's proxy, an upstream HTTP server in a namespace
// of the test's own (reached through the run's NAT on the host), and nothing left behind afterwards.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstreamNamespace, UPSTREAM_ADDRESS, type UpstreamNamespace } from '../src/demo/upstream-namespace.js';
import { armorkit } from './cli-process.js';

const POLICY = new URL('../../../examples/policies/api-client-networkproxy.yaml', import.meta.url).pathname;
const EVENTS_FILE = '/var/log/armorkit/networkproxy.log';
const API = UPSTREAM_ADDRESS;
const dir = mkdtempSync(join(tmpdir(), 'armorkit-run-np-'));
const forwardingBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
const forwarding6Before = readFileSync('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8');

/** What a run could leave behind: its namespaces, veths, host rules, proxy processes, its record. */
function leftovers(): string[] {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((line) => line.startsWith('armorkit-run-'));
  const links = execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }).split('\n').filter((line) => /^akr[0-9a-f]{6}h/.test(line));
  const rules = ['nat', 'filter'].flatMap((table) => execFileSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('armorkit-run-')));
  const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('run/proxy-main.js'));
  const records = existsSync('/run/armorkit/runs') ? readdirSync('/run/armorkit/runs').filter((name) => name.endsWith('.json')) : [];
  return [...namespaces, ...links, ...rules, ...processes, ...records];
}

let upstream: UpstreamNamespace | undefined;
beforeAll(async () => {
  upstream = await startUpstreamNamespace();
}, 30_000);

afterAll(() => {
  upstream?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** A TCP echo exchange on port 7: `echo [ping]` when the connection went through. */
const ECHO = `printf 'echo [%s]\\n' "$(echo ping | curl -s -m 3 telnet://${API}:7)"`;
const curl = (url: string) => `curl -sS -m 10 -o /dev/null -w '%{http_code}\\n' ${url}`;

describe('armorkit run with a NetworkProxy policy', { timeout: 120_000 }, () => {
  it('lets an allowed request through, refuses the others, shows and writes their events, and passes the exit code on', () => {
    const eventsBefore = existsSync(EVENTS_FILE) ? statSync(EVENTS_FILE).size : 0;
    const script = [`curl -sS -m 10 http://${API}/public/hello`, curl(`http://${API}/private`), ECHO, 'exit 7'].join('; ');
    const result = armorkit(['run', '--policy', POLICY, '--', 'sh', '-c', script], { cwd: dir, timeout: 90_000 });
    expect(result.stderr).toMatch(/NetworkProxy: network namespace armorkit-run-[0-9a-f]{6} \(10\.213\.\d+\.\d+(, fd61:726d:6b69:[0-9a-f]+::2)?, NAT through akr[0-9a-f]{6}h/);
    expect(result.stdout).toBe('upstream saw GET /public/hello\n403\necho []\n');
    // Unconfined, the echo answers (through the host's route to the test's namespace).
    expect(execFileSync('sh', ['-c', ECHO], { encoding: 'utf8' })).toBe('echo [ping]\n');
    expect(result.status).toBe(7);
    // Shown as they happened: the denied request and the denied connection (the allowed one is not audited).
    expect(result.stderr).toContain(`armorkit: event  NetworkProxy DENIED        http GET ${API}/private → ${API}:80, rule defaultAction  (varmor-demo-api-client)`);
    expect(result.stderr).toContain(`armorkit: event  NetworkProxy DENIED        tcp → ${API}:7, rule defaultAction  (varmor-demo-api-client)`);
    // Written where `armorkit audit --source networkproxy` reads them.
    const written = readFileSync(EVENTS_FILE).subarray(eventsBefore).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written.map((event) => [event.action, (event.event as Record<string, unknown>).destination, (event.event as Record<string, unknown>).path])).toEqual([
      ['DENIED', `${API}:80`, '/private'],
      ['DENIED', `${API}:7`, undefined],
    ]);
    expect(leftovers()).toEqual([]);
  });

  it('keeps the command from undoing the capture or becoming the proxy UID (root without NET_ADMIN, SETUID)', () => {
    const script = 'iptables -w -t nat -F; echo "flush $?"; setpriv --reuid=1337 true; echo "setuid $?"; ' + curl(`http://${API}/private`);
    const result = armorkit(['run', '--policy', POLICY, '--', 'sh', '-c', script], { cwd: dir, timeout: 90_000 });
    expect(result.stdout).toMatch(/^flush [1-9]\d*\nsetuid [1-9]\d*\n403\n$/);
    expect(result.status).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('with seccomp in the same run: the filter holds inside the run namespace and the confined command is still captured', () => {
    const policy = join(dir, 'seccomp-networkproxy.yaml');
    writeFileSync(
      policy,
      readFileSync(POLICY, 'utf8')
        .replace('enforcer: NetworkProxy', 'enforcer: SeccompNetworkProxy')
        .replace('    enhanceProtect:\n', '    enhanceProtect:\n      attackProtectionRules:\n        - rules: [disable-chmod-x-bit]\n'),
    );
    const script = ['touch f', 'chmod +x f 2>/dev/null; echo "chmod $?"', `curl -sS -m 10 http://${API}/public/both`, curl(`http://${API}/private`)].join('; ');
    const result = armorkit(['run', '--policy', policy, '--', 'sh', '-c', script], { cwd: dir, timeout: 90_000 });
    expect(result.stderr).toMatch(/armorkit: Seccomp: /);
    expect(result.stderr).toMatch(/armorkit: NetworkProxy: network namespace armorkit-run-/);
    expect(result.stdout).toBe('chmod 1\nupstream saw GET /public/both\n403\n');
    expect(result.stderr).toContain(`armorkit: event  NetworkProxy DENIED        http GET ${API}/private → ${API}:80, rule defaultAction  (varmor-demo-api-client)`);
    expect(result.status).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('removes everything when armorkit is stopped by a signal while the command runs', async () => {
    const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const CLI = new URL('../src/bin.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, CLI, 'run', '--policy', POLICY, '--', 'sleep', '60'], { cwd: dir });
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('NetworkProxy: network namespace')) resolve();
      }),
    );
    expect(leftovers().length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('close', (status) => resolve(status)));
    expect(code).toBe(128 + 15);
    expect(leftovers()).toEqual([]);
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(forwardingBefore);
    expect(readFileSync('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8')).toBe(forwarding6Before);
  });
});

import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { parseBehaviorModels } from '@armorkit/core/schema';
import { readKernelMessages, requireKernelLab, waitForKernelMessage } from '@armorkit/kernel-lab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/io.js';
import { main } from '../../src/main.js';

// BehaviorModeling end to end on a workload nobody here wrote: Python's http.server is recorded by `armorkit model`
// (AppArmor complain, seccomp LOG, BPF complain at once) while curl fetches from it, then enforced from its model by
// `armorkit run --model` with DefenseInDepth: the same requests still work, and what it never did is denied by each
// enforcer that can express it, with the kernel's (or the ring buffer's) event. In-process CLI calls: a fresh Node
// under TCG costs tens of seconds.
const SCRATCH = '/srv/armorkit-model-lab';
const WWW = `${SCRATCH}/www`;
const MODEL = `${SCRATCH}/web.model.yaml`;
const PORT = 8731;
const ELSEWHERE = 8732;
const PROFILE = 'varmor-lab-web';
const PYTHON = '/usr/bin/python3';
const SERVER = [PYTHON, '-m', 'http.server', String(PORT), '--bind', '127.0.0.1', '--directory', WWW];
const REQUESTS = ['/', '/index.html', '/data.txt', '/missing.txt'];

const policy = (mode: string) => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: web, namespace: lab}
spec:
  target: {kind: Deployment, name: web}
  policy:
    enforcer: AppArmorBPFSeccomp
    mode: ${mode}
${mode === 'BehaviorModeling' ? '    modelingOptions: {duration: 5}\n' : '    defenseInDepth:\n      appArmor: {profileType: BehaviorModel}\n      seccomp: {profileType: BehaviorModel}\n'}`;

// What a compromised server would try, one line of results and then a shell. Only modules http.server itself imports
// (the model allows reading those files and no others).
const ATTACKS = `
import os, socket, errno
results = []
def attempt(name, action):
    try:
        action()
        results.append(name + '=ok')
    except OSError as error:
        results.append(name + '=' + errno.errorcode.get(error.errno, str(error.errno)))
def connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.connect(('127.0.0.1', ${ELSEWHERE}))
    finally:
        s.close()
attempt('shadow', lambda: open('/etc/shadow', 'rb').close())
attempt('chmod', lambda: os.chmod('${WWW}/data.txt', 0o755))
attempt('raw', lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close())
attempt('connect', connect)
print(' '.join(results), flush=True)
try:
    os.execv('/bin/sh', ['sh', '-c', 'echo shell=ok'])
except OSError as error:
    print('shell=' + errno.errorcode.get(error.errno, str(error.errno)), flush=True)
`;

const run = promisify(execFile);

interface Captured {
  io: CliIO;
  out: string[];
  err: string[];
  stdout: string[];
}

/** armorkit's own output (`err`: progress, summary) and the command's (`stdout`; its stderr joins `err`). */
function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const stdout: string[] = [];
  return {
    out,
    err,
    stdout,
    io: { out: (text) => out.push(text), err: (text) => err.push(text), cwd: SCRATCH, commandOutput: { stdout: (chunk) => stdout.push(chunk), stderr: (chunk) => err.push(chunk) } },
  };
}

/** Kept beside the kernel log, to read after the VM is gone. */
function keep(name: string, text: string): void {
  const dir = process.env.ARMORKIT_LAB_OUTPUT_DIR;
  if (dir) writeFileSync(`${dir}/${name}`, text);
}

async function fetchAll(): Promise<string[]> {
  const statuses: string[] = [];
  for (const path of REQUESTS) {
    const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '20', `http://127.0.0.1:${PORT}${path}`]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? 'failed' }));
    statuses.push(`${path} ${stdout}`);
  }
  return statuses;
}

async function waitForServer(running: Promise<number>): Promise<void> {
  let exited = false;
  void running.then(() => (exited = true));
  for (let i = 0; i < 600 && !exited; i++) {
    const up = await run('curl', ['-s', '-o', '/dev/null', '--max-time', '2', `http://127.0.0.1:${PORT}/`]).then(() => true, () => false);
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the server did not come up');
}

/** The pid of the Python server this test started (the helpers before it exec into it). */
function serverPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0] === PYTHON && argv[2] === 'http.server' && argv[3] === String(PORT)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** Runs the server under the CLI command, fetches every request from outside, then stops it with SIGINT. */
async function serve(args: readonly string[]): Promise<{ status: number; statuses: string[]; err: string[] }> {
  const captured = capture();
  const running = main([...args, '--', ...SERVER], captured.io);
  await waitForServer(running);
  const statuses = await fetchAll();
  const pid = serverPid();
  if (pid !== undefined) process.kill(pid, 'SIGINT');
  const status = await running;
  keep(`${args[0]}-server.log`, captured.err.join('\n'));
  return { status, statuses, err: captured.err };
}

async function attack(enforcer?: string): Promise<{ results: Record<string, string>; err: string }> {
  chmodSync(`${WWW}/data.txt`, 0o644);
  const captured = capture();
  const args = enforcer === undefined ? undefined : ['run', '--policy', 'defense.yaml', '--model', MODEL, '--enforcer', enforcer, '--', PYTHON, '-c', ATTACKS];
  let text: string;
  if (args) {
    await main(args, captured.io);
    text = captured.stdout.join('');
    keep(`attack-${enforcer}.log`, `${text}\n${captured.err.join('\n')}`);
  } else {
    text = (await run(PYTHON, ['-c', ATTACKS])).stdout;
  }
  const results = Object.fromEntries(text.split(/\s+/).filter((word) => word.includes('=')).map((word) => word.split('=') as [string, string]));
  return { results, err: captured.err.join('\n') };
}

let elsewhere: Server;
beforeAll(async () => {
  requireKernelLab();
  mkdirSync(WWW, { recursive: true });
  writeFileSync(`${WWW}/index.html`, '<h1>armorkit</h1>\n');
  writeFileSync(`${WWW}/data.txt`, 'data\n');
  writeFileSync(`${SCRATCH}/modeling.yaml`, policy('BehaviorModeling'));
  writeFileSync(`${SCRATCH}/defense.yaml`, policy('DefenseInDepth'));
  elsewhere = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => elsewhere.listen(ELSEWHERE, '127.0.0.1', resolve));
});
afterAll(() => elsewhere?.close());

describe('python3 -m http.server, modelled and then enforced from its model', { timeout: 900_000 }, () => {
  it('unconfined, every attack works (so a denial below is the profile)', async () => {
    const { results } = await attack();
    expect(results).toEqual({ shadow: 'ok', chmod: 'ok', raw: 'ok', connect: 'ok', shell: 'ok' });
    expect(statSync(`${WWW}/data.txt`).mode & 0o111).not.toBe(0);
  });

  it('armorkit model records what the server did while it answered the requests', async () => {
    const modelled = await serve(['model', '--policy', 'modeling.yaml', '--out', MODEL, '--duration', '10m', '--progress', '30s']);
    const err = modelled.err.join('\n');
    expect(modelled.statuses).toEqual(['/ 200', '/index.html 200', '/data.txt 200', '/missing.txt 404']);
    expect(err).toMatch(/AppArmor: \d+ executions, \d+ files/);
    expect(modelled.status).toBe(0);
    keep('web.model.yaml', readFileSync(MODEL, 'utf8'));
    const { models, errors } = parseBehaviorModels(readFileSync(MODEL, 'utf8'), MODEL);
    expect(errors).toEqual([]);
    const result = models.get(PROFILE)?.data?.dynamicResult;
    const appArmor = result?.appArmor;
    expect(appArmor?.profiles).toEqual([PROFILE]);
    // The command's own exec happens as it enters the profile, so AppArmor records none; BPF watches the namespace.
    const files = new Map((appArmor?.files ?? []).map((file) => [file.path, file.permissions.join('')]));
    expect(files.get(`${WWW}/data.txt`)).toContain('r');
    expect(files.get(`${WWW}/index.html`)).toContain('r');
    expect([...files.keys()].filter((path) => path.startsWith('/etc/shadow') || path.includes('/bin/sh') || path.includes('dash'))).toEqual([]);
    expect(appArmor?.networks?.sockets).toContainEqual(expect.objectContaining({ domain: 'inet', type: 'stream' }));
    expect(appArmor?.networks?.sockets?.filter((socket) => socket.type === 'raw')).toEqual([]);
    expect(result?.bpf?.network?.sockets).toContainEqual(expect.objectContaining({ domain: 'AF_INET', type: 'SOCK_STREAM' }));
    expect(result?.bpf?.network?.egresses ?? []).toEqual([]);
    expect(result?.bpf?.executions).toContain('/usr/bin/python3.11');
    const syscalls = result?.seccomp?.syscalls ?? [];
    // execve: the helper that installs the filter execs the command under it.
    expect(syscalls).toEqual(expect.arrayContaining(['bind', 'listen', 'accept4', 'sendto', 'execve']));
    expect(syscalls.filter((name) => name === 'chmod' || name === 'fchmodat')).toEqual([]);
  });

  it('armorkit run --model: the same requests succeed under all three enforcers', async () => {
    const served = await serve(['run', '--policy', 'defense.yaml', '--model', MODEL]);
    const err = served.err.join('\n');
    expect(err).toMatch(/armorkit: AppArmor: /);
    expect(err).toMatch(/armorkit: BPF: /);
    expect(err).toMatch(/armorkit: Seccomp: /);
    expect(served.statuses).toEqual(['/ 200', '/index.html 200', '/data.txt 200', '/missing.txt 404']);
  });

  it('AppArmor denies the shadow file, chmod +x, a raw socket and a shell, each with a DENIED record', async () => {
    const before = readKernelMessages().length;
    const { results } = await attack('apparmor');
    // AppArmor on 6.1 mediates socket creation, not the address a socket connects to.
    expect(results).toEqual({ shadow: 'EACCES', chmod: 'EACCES', raw: 'EACCES', connect: 'ok', shell: 'EACCES' });
    const denied = async (what: (line: string) => boolean) => waitForKernelMessage((line) => line.includes('apparmor="DENIED"') && line.includes(`profile="${PROFILE}"`) && what(line));
    expect(await denied((line) => line.includes('name="/etc/shadow"'))).toBeDefined();
    expect(await denied((line) => line.includes('operation="chmod"') && line.includes(`name="${WWW}/data.txt"`))).toBeDefined();
    expect(await denied((line) => line.includes('operation="create"') && line.includes('sock_type="raw"'))).toBeDefined();
    expect(await denied((line) => line.includes('operation="exec"') && line.includes('name="/usr/bin/dash"'))).toBeDefined();
    expect(readKernelMessages().length).toBeGreaterThan(before);
  });

  it('seccomp denies chmod +x (no chmod in the model) and logs it', async () => {
    const { results, err } = await attack('seccomp');
    // The model has openat, socket, connect (glibc asks nscd) and execve: seccomp sees syscalls, not their paths.
    expect(results).toEqual({ shadow: 'ok', chmod: 'EPERM', raw: 'ok', connect: 'ok', shell: 'ok' });
    expect(err).toContain('denials logged');
    const record = await waitForKernelMessage((line) => line.includes('type=1326') && line.includes('code=0x50000') && / syscall=(90|268) /.test(line));
    expect(record).toBeDefined();
  });

  it('BPF denies the raw socket and the connection elsewhere, with ring-buffer events', async () => {
    await main(['audit', '--source', 'bpf', '--quiet'], capture().io); // what the runs above left in the ring buffer
    const { results } = await attack('bpf');
    // Its rules deny what matches a pattern, so the model's files and executions stay AppArmor's to enforce.
    expect(results).toEqual({ shadow: 'ok', chmod: 'ok', raw: 'EPERM', connect: 'EPERM', shell: 'ok' });
    // audit writes its events to stdout, or with --log to a file (what the test reads).
    const log = `${SCRATCH}/bpf-events.log`;
    await main(['audit', '--source', 'bpf', '--log', log], capture().io);
    const text = readFileSync(log, 'utf8');
    keep('bpf-events.log', text);
    const events = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { action: string; profileName: string; event: Record<string, unknown> });
    const denied = events.filter((event) => event.action === 'DENIED' && event.profileName === PROFILE).map((event) => event.event);
    expect(denied).toContainEqual(expect.objectContaining({ operation: 'Network', type: 'connect', address: expect.objectContaining({ ip: '127.0.0.1', port: ELSEWHERE }) }));
    // CAP_NET_RAW is refused first (the model used no capability), or the raw socket family/type.
    expect(denied.some((event) => event.capability === 'net_raw' || (event.socket as { type?: string } | undefined)?.type === 'SOCK_RAW')).toBe(true);
  });
});

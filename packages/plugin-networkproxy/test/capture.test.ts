import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCapture, removeCapture } from '../src/capture/apply.js';
import { captureScript, removalText, restoreText } from '../src/capture/print.js';
import { captureRuleset } from '../src/capture/ruleset.js';

const settings = { proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 };
const canRun = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0 && spawnSync('iptables-restore', ['--version']).status === 0;

describe('capture rules as text', () => {
  it('are vArmor\'s chains, for iptables-restore and as an init-container script', () => {
    expect(restoreText(captureRuleset(settings, 4))).toBe(
      [
        '*nat',
        ':VARMOR_OUTPUT - [0:0]',
        ':VARMOR_REDIRECT - [0:0]',
        '-A OUTPUT -p tcp -j VARMOR_OUTPUT',
        '-A VARMOR_OUTPUT -m owner --uid-owner 1337 -j RETURN',
        '-A VARMOR_OUTPUT -d 127.0.0.0/8 -j RETURN',
        '-A VARMOR_OUTPUT -p tcp -j VARMOR_REDIRECT',
        '-A VARMOR_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        'COMMIT',
        '*filter',
        '-A OUTPUT -p tcp --dport 15000 -m owner ! --uid-owner 1337 -j DROP',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(removalText(captureRuleset(settings, 6))).toContain('-D OUTPUT -p tcp -j VARMOR_OUTPUT\n:VARMOR_OUTPUT - [0:0]\n:VARMOR_REDIRECT - [0:0]\n-X VARMOR_OUTPUT\n-X VARMOR_REDIRECT\nCOMMIT');
    const script = captureScript({ proxyUID: 1000, proxyPort: 8001, proxyAdminPort: 8000 });
    expect(script.ok && script.value.split('\n')).toEqual([
      '#!/bin/sh',
      expect.stringMatching(/^# /),
      'set -eu',
      'iptables -t nat -N VARMOR_OUTPUT',
      'iptables -t nat -N VARMOR_REDIRECT',
      'iptables -t nat -A OUTPUT -p tcp -j VARMOR_OUTPUT',
      'iptables -t nat -A VARMOR_OUTPUT -m owner --uid-owner 1000 -j RETURN',
      'iptables -t nat -A VARMOR_OUTPUT -d 127.0.0.0/8 -j RETURN',
      'iptables -t nat -A VARMOR_OUTPUT -p tcp -j VARMOR_REDIRECT',
      'iptables -t nat -A VARMOR_REDIRECT -p tcp -j REDIRECT --to-ports 8001',
      'iptables -t filter -A OUTPUT -p tcp --dport 8000 -m owner ! --uid-owner 1000 -j DROP',
      'ip6tables -t nat -N VARMOR_OUTPUT',
      'ip6tables -t nat -N VARMOR_REDIRECT',
      'ip6tables -t nat -A OUTPUT -p tcp -j VARMOR_OUTPUT',
      'ip6tables -t nat -A VARMOR_OUTPUT -m owner --uid-owner 1000 -j RETURN',
      'ip6tables -t nat -A VARMOR_OUTPUT -d ::1/128 -j RETURN',
      'ip6tables -t nat -A VARMOR_OUTPUT -p tcp -j VARMOR_REDIRECT',
      'ip6tables -t nat -A VARMOR_REDIRECT -p tcp -j REDIRECT --to-ports 8001',
      'ip6tables -t filter -A OUTPUT -p tcp --dport 8000 -m owner ! --uid-owner 1000 -j DROP',
      '',
    ]);
  });

  it('take numbers only from valid integers', () => {
    for (const bad of [{ ...settings, proxyPort: 0 }, { ...settings, proxyPort: 1.5 }, { ...settings, proxyUID: -1 }, { ...settings, proxyAdminPort: 15001 }, { ...settings, proxyPort: Number.NaN }]) {
      const script = captureScript(bad);
      expect(script.ok).toBe(false);
      expect(!script.ok && script.errors[0]?.code).toBe('networkproxy-capture-failed');
    }
  });
});

// A server in the namespace on the proxy port, on an ordinary port and on the admin port (loopback): each answers
// with the port the connection arrived on, so the client sees where the kernel delivered it.
const SERVER = `
const net = require('node:net');
const ports = process.argv.slice(1).map(Number);
let ready = 0;
for (const [host, port] of [['0.0.0.0', ports[0]], ['0.0.0.0', ports[1]], ['127.0.0.1', ports[2]], ['::', ports[0]], ['::', ports[1]]]) {
  net.createServer((socket) => socket.end(String(socket.localPort))).listen({ host, port, ipv6Only: host === '::' }, () => { if (++ready === 5) console.log('ready'); });
}`;
const CLIENT = `
const net = require('node:net');
const socket = net.connect({ host: process.argv[1], port: Number(process.argv[2]), timeout: 1500 });
let data = '';
socket.on('data', (chunk) => (data += chunk));
socket.on('end', () => console.log('landed ' + data));
socket.on('timeout', () => { console.log('no answer'); socket.destroy(); });
socket.on('error', (error) => console.log('error ' + error.code));`;

describe.skipIf(!canRun)('capture rules in a real network namespace', () => {
  const netns = `akc-capture-${process.pid}-${randomBytes(3).toString('hex')}`;
  const inNs = (...argv: string[]) => execFileSync('ip', ['netns', 'exec', netns, ...argv], { encoding: 'utf8' });
  let server: ChildProcess | undefined;

  /** Connects from inside the namespace, as root or as `uid`; what the client saw. */
  const connect = (host: string, port: number, uid?: number) => {
    const user = uid === undefined ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
    return inNs(...user, process.execPath, '-e', CLIENT, host, String(port)).trim();
  };

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', netns]);
    inNs('ip', 'link', 'set', 'lo', 'up');
    // Addresses of the namespace outside loopback's ranges (on lo: no dummy or veth device needed).
    inNs('ip', 'addr', 'add', '10.203.0.1/32', 'dev', 'lo');
    inNs('ip', '-6', 'addr', 'add', 'fd00:203::1/128', 'dev', 'lo', 'nodad');
    server = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', SERVER, '15001', '8080', '15000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(server.stdout!, 'data')) as [Buffer];
    expect(line.toString().trim()).toBe('ready');
  });

  afterAll(() => {
    server?.kill();
    spawnSync('ip', ['netns', 'del', netns]);
  });

  it('without the rules, connections land where they were sent', () => {
    expect(connect('10.203.0.1', 8080)).toBe('landed 8080');
  });

  it('applied: iptables-save shows them, TCP is redirected to the proxy port except the proxy UID\'s and loopback', async () => {
    const applied = await applyCapture(netns, settings);
    expect(applied.ok && applied.warnings).toEqual([]);
    const saved = inNs('iptables-save');
    // iptables-save names the tcp match that `--dport` loads implicitly.
    const written = restoreText(captureRuleset(settings, 4)).split('\n').filter((line) => line.startsWith('-A'));
    for (const line of written) expect(saved).toContain(line.replace('-p tcp --dport', '-p tcp -m tcp --dport'));
    expect(written).toHaveLength(6);
    const saved6 = inNs('ip6tables-save');
    expect(saved6).toContain('-A VARMOR_OUTPUT -d ::1/128 -j RETURN');
    expect(saved6).toContain('-A VARMOR_REDIRECT -p tcp -j REDIRECT --to-ports 15001');

    expect(connect('10.203.0.1', 8080)).toBe('landed 15001');
    expect(connect('fd00:203::1', 8080)).toBe('landed 15001');
    expect(connect('10.203.0.1', 8080, 1337)).toBe('landed 8080');
    expect(connect('fd00:203::1', 8080, 1337)).toBe('landed 8080');
    expect(connect('10.203.0.1', 8080, 1000)).toBe('landed 15001');
    expect(connect('127.0.0.1', 8080)).toBe('landed 8080');
    // The admin port: the proxy's UID reaches it, everybody else's SYN is dropped.
    expect(connect('127.0.0.1', 15000, 1337)).toBe('landed 15000');
    expect(connect('127.0.0.1', 15000)).toBe('no answer');
  });

  it('removed: the namespace is as before', async () => {
    const removed = await removeCapture(netns, settings);
    expect(removed.ok).toBe(true);
    expect(inNs('iptables-save')).not.toContain('VARMOR');
    expect(inNs('ip6tables-save')).not.toContain('VARMOR');
    expect(connect('10.203.0.1', 8080)).toBe('landed 8080');
  });

  it('the init-container script sets up the same rules (then removeCapture takes them away)', async () => {
    const script = captureScript(settings);
    expect(script.ok).toBe(true);
    if (!script.ok) return;
    inNs('sh', '-c', script.value);
    expect(inNs('iptables-save')).toContain('-A VARMOR_REDIRECT -p tcp -j REDIRECT --to-ports 15001');
    expect(connect('10.203.0.1', 8080)).toBe('landed 15001');
    expect((await removeCapture(netns, settings)).ok).toBe(true);
    expect(inNs('iptables-save')).not.toContain('VARMOR');
  });

  it('a failure is a value naming the tool and the namespace; a missing namespace, a bad name too', async () => {
    const twice = await removeCapture(netns, settings);
    expect(!twice.ok && twice.errors.map((e) => e.code)).toEqual(['networkproxy-capture-failed', 'networkproxy-capture-failed']);
    expect(!twice.ok && twice.errors[0]?.message).toContain(`iptables-restore in network namespace ${netns} failed`);
    const missing = await applyCapture(`${netns}-missing`, settings);
    expect(missing.ok).toBe(false);
    const hostile = await applyCapture('x; reboot', settings);
    expect(!hostile.ok && hostile.errors[0]?.message).toBe('"x; reboot" is not a network namespace name');
  });
});

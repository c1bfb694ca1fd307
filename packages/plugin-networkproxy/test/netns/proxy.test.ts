// The proxy between real clients and real servers: network namespaces, the iptables REDIRECT, curl and Node clients
// under another UID, HTTP / HTTPS / TCP servers outside. Needs root (namespaces, iptables).
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyHarness, statuses, type Egress } from './proxy-harness.js';

const SERVER4 = '10.77.0.2';
const OTHER4 = '10.77.0.3';
const SERVER6 = 'fd77::2';
const OTHER6 = 'fd77::3';

const egress: Egress = {
  defaultAction: 'deny',
  rules: [
    { qualifiers: ['allow'], description: 'echo on the server', ip: SERVER4, ports: [{ port: 7 }] },
    { qualifiers: ['allow'], description: 'a port range on the subnet', cidr: '10.77.0.0/24', ports: [{ port: 2000, endPort: 2010 }] },
    { qualifiers: ['deny'], description: 'but not on the other address', ip: OTHER4, ports: [{ port: 2005 }] },
    { qualifiers: ['allow'], description: 'echo over IPv6', cidr: 'fd77::2/128', ports: [{ port: 7 }] },
  ],
  httpRules: [
    { qualifiers: ['allow'], description: 'public reads', match: { hosts: ['allowed.example'], ports: [{ port: 80 }], paths: [{ prefix: '/public' }], methods: ['GET'] } },
    { qualifiers: ['allow'], description: 'TLS to allowed.example', match: { hosts: ['allowed.example'], ports: [{ port: 443 }] } },
    { qualifiers: ['allow'], description: 'TLS to its subdomains', match: { hosts: ['*.allowed.example'], ports: [{ port: 443 }] } },
    // With vArmor's semantics an HTTP rule's host also judges TLS server names (paths are not seen there): port 80 only.
    { qualifiers: ['deny'], description: 'no secrets', match: { hosts: ['allowed.example'], ports: [{ port: 80 }], paths: [{ prefix: '/public/secret' }] } },
    { qualifiers: ['allow'], description: 'a port nothing listens on', match: { hosts: ['allowed.example'], ports: [{ port: 8081 }] } },
    { qualifiers: ['allow'], description: 'uploads', match: { hosts: ['allowed.example'], ports: [{ port: 80 }], paths: [{ prefix: '/upload' }], methods: ['POST'] } },
    { qualifiers: ['allow', 'audit'], description: 'audited reads', match: { hosts: ['allowed.example'], ports: [{ port: 80 }], paths: [{ exact: '/audited' }] } },
  ],
};

const hosts = {
  'allowed.example': [SERVER4, SERVER6],
  'api.allowed.example': [SERVER4],
  'other.example': [SERVER4],
};

const get = (path: string, host = 'allowed.example', extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`;
const body = (received: string): Array<Record<string, unknown>> =>
  [...received.matchAll(/\r\n\r\n(\{[^\r]*?\})(?=HTTP\/1\.1|$)/g)].map((match) => JSON.parse(match[1] ?? '{}') as Record<string, unknown>);

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let harness: ProxyHarness;

beforeAll(async () => {
  harness = await ProxyHarness.start(egress, hosts);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('L4 (plain TCP)', () => {
  it('relays an allowed IP and port both ways, with a half-close', async () => {
    const echo = await harness.raw(SERVER4, 7, [{ write: 'ping over tcp' }, { end: true }]);
    expect(echo).toEqual({ received: 'ping over tcp', closed: true, error: null });
  });

  it('closes a connection to an address no rule allows', async () => {
    const refused = await harness.raw(OTHER4, 7, [{ write: 'ping' }, { end: true }]);
    expect(refused.received).toBe('');
    expect(refused.closed).toBe(true);
  });

  it('allows a CIDR and port range, and a deny rule wins over it', async () => {
    expect((await harness.raw(SERVER4, 2005, [{ write: 'range' }, { end: true }])).received).toBe('range');
    expect((await harness.raw(OTHER4, 2005, [{ write: 'range' }, { end: true }])).received).toBe('');
    const events = await harness.events((all) => all.some((event) => (event.event as Record<string, unknown>).destination === `${OTHER4}:2005`));
    const denial = events.find((event) => (event.event as Record<string, unknown>).destination === `${OTHER4}:2005`);
    expect(denial).toMatchObject({
      enforcer: 'NetworkProxy',
      action: 'DENIED',
      profileName: 'netns-test',
      event: { layer: 'tcp', destinationIP: OTHER4, destinationPort: 2005, rule: '/spec/policy/enhanceProtect/networkProxyRawRules/egress/rules/2', reason: 'policy' },
    });
  });

  it('reads the original destination of IPv6 connections', async () => {
    expect((await harness.raw(SERVER6, 7, [{ write: 'v6' }, { end: true }])).received).toBe('v6');
    expect((await harness.raw(OTHER6, 7, [{ write: 'v6' }, { end: true }])).received).toBe('');
  });
});

describe('TLS passthrough by SNI', () => {
  it('passes an allowed server name through, end to end with the real certificate', async () => {
    const result = await harness.curl(['--resolve', `allowed.example:443:${SERVER4}`, 'https://allowed.example/tls']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ url: '/tls', tls: true, localAddress: `::ffff:${SERVER4}` });
    const wildcard = await harness.curl(['--resolve', `api.allowed.example:443:${SERVER4}`, 'https://api.allowed.example/sub']);
    expect(wildcard.code).toBe(0);
    const v6 = await harness.curl(['--resolve', `allowed.example:443:[${SERVER6}]`, 'https://allowed.example/v6']);
    expect(JSON.parse(v6.stdout)).toMatchObject({ url: '/v6', localAddress: SERVER6 });
  });

  it('passes a large download through to a slow reader intact (backpressure on the TLS relay)', async () => {
    const bytes = 8 * 1024 * 1024;
    const file = join(harness.signals, 'big-tls.bin');
    const download = await harness.curl(['--limit-rate', '4M', '-o', file, '-w', '%{http_code} %{size_download} %header{x-sha256}', '--resolve', `allowed.example:443:${SERVER4}`, `https://allowed.example/public/big?bytes=${bytes}`]);
    expect(download.code).toBe(0);
    expect(download.stdout).toBe(`200 ${bytes} ${sha256(file)}`);
  });

  it('closes a ClientHello for a server name no rule allows, and one without SNI', async () => {
    const denied = await harness.curl(['--resolve', `other.example:443:${SERVER4}`, 'https://other.example/']);
    expect(denied.code).not.toBe(0);
    const noSni = await harness.curl(['--insecure', `https://${SERVER4}/`]);
    expect(noSni.code).not.toBe(0);
    const events = await harness.events((all) => all.some((event) => (event.event as Record<string, unknown>).serverName === 'other.example'));
    expect(events.find((event) => (event.event as Record<string, unknown>).serverName === 'other.example')).toMatchObject({
      action: 'DENIED',
      event: { layer: 'tls', serverName: 'other.example', destination: `${SERVER4}:443`, rule: 'defaultAction' },
    });
  });

  it('refuses an allowed server name toward an address the name does not resolve to (SNI spoofing)', async () => {
    const spoofed = await harness.curl(['--resolve', `allowed.example:443:${OTHER4}`, 'https://allowed.example/']);
    expect(spoofed.code).not.toBe(0);
    const events = await harness.events((all) => all.some((event) => (event.event as Record<string, unknown>).reason === 'spoofing' && (event.event as Record<string, unknown>).layer === 'tls'));
    expect(events.find((event) => (event.event as Record<string, unknown>).reason === 'spoofing')).toMatchObject({
      action: 'DENIED',
      event: { layer: 'tls', serverName: 'allowed.example', destination: `${OTHER4}:443`, allowedByName: 'allowed.example' },
    });
  });
});

describe('HTTP/1.1 requests, each judged on its own', () => {
  it('answers allowed and denied requests in order on one pipelined keep-alive connection', async () => {
    const result = await harness.raw(SERVER4, 80, [
      { write: get('/public/a') + get('/private') + get('/public/b') + 'POST /public/c HTTP/1.1\r\nHost: allowed.example\r\nContent-Length: 0\r\n\r\n' + get('/public/secret/x') + get('/public/d', 'allowed.example', 'Connection: close\r\n') },
    ]);
    expect(statuses(result.received)).toEqual([200, 403, 200, 403, 403, 200]);
    expect(body(result.received).map((answer) => answer.url)).toEqual(['/public/a', '/public/b', '/public/d']);
    expect(result.closed).toBe(true);
  });

  it('reuses a keep-alive connection from curl across allowed and denied requests', async () => {
    const result = await harness.curl(['-w', '%{http_code} %{num_connects}\\n', '-o', '/dev/null', 'http://allowed.example/public/1', '-o', '/dev/null', 'http://allowed.example/nope', '-o', '/dev/null', 'http://allowed.example/public/2', '--resolve', `allowed.example:80:${SERVER4}`]);
    expect(result.stdout.trim().split('\n')).toEqual(['200 1', '403 0', '200 0']);
  });

  it('forwards bodies by their framing, so the next request is found', async () => {
    const chunked = 'POST /public/upload HTTP/1.1\r\nHost: allowed.example\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nGET \r\n0\r\n\r\n';
    const result = await harness.raw(SERVER4, 80, [{ write: chunked + get('/public/after', 'allowed.example', 'Connection: close\r\n') }]);
    // The POST is denied by method: the proxy answers 403 and closes (its body is not read as a request).
    expect(statuses(result.received)).toEqual([403]);
    const get1 = `GET /public/len HTTP/1.1\r\nHost: allowed.example\r\nContent-Length: 21\r\n\r\nGET /private HTTP/1.1`;
    const forwarded = await harness.raw(SERVER4, 80, [{ write: get1 + get('/public/next', 'allowed.example', 'Connection: close\r\n') }]);
    expect(statuses(forwarded.received)).toEqual([200, 200]);
    expect(body(forwarded.received)).toMatchObject([{ url: '/public/len', bodyBytes: 21 }, { url: '/public/next' }]);
  });

  it('judges and forwards the normalized path, so dot segments cannot step around a rule', async () => {
    const result = await harness.raw(SERVER4, 80, [{ write: get('/public/../private') + get('/public/%2e%2e/private') + get('/public/./a//b', 'allowed.example', 'Connection: close\r\n') }]);
    expect(statuses(result.received)).toEqual([403, 403, 200]);
    expect(body(result.received)).toMatchObject([{ url: '/public/a/b' }]);
  });

  it('reports an audited allow and every denial with method, path and rule', async () => {
    const result = await harness.raw(SERVER4, 80, [{ write: get('/audited') + get('/denied-path', 'allowed.example', 'Connection: close\r\n') }]);
    expect(statuses(result.received)).toEqual([200, 403]);
    const events = await harness.events((all) => all.some((event) => (event.event as Record<string, unknown>).path === '/denied-path'));
    expect(events.find((event) => (event.event as Record<string, unknown>).path === '/audited')).toMatchObject({
      action: 'AUDIT',
      event: { layer: 'http', host: 'allowed.example', method: 'GET', path: '/audited', rule: '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/6', action: 'allow' },
    });
    expect(events.find((event) => (event.event as Record<string, unknown>).path === '/denied-path')).toMatchObject({ action: 'DENIED', event: { method: 'GET', rule: 'defaultAction' } });
  });

  it('refuses an allowed Host toward another address (Host spoofing), and never connects by the name', async () => {
    const result = await harness.raw(OTHER4, 80, [{ write: get('/public/a', 'allowed.example', 'Connection: close\r\n') }]);
    expect(statuses(result.received)).toEqual([403]);
    const events = await harness.events((all) => all.some((event) => (event.event as Record<string, unknown>).reason === 'spoofing' && (event.event as Record<string, unknown>).layer === 'http'));
    expect(events.find((event) => (event.event as Record<string, unknown>).reason === 'spoofing' && (event.event as Record<string, unknown>).layer === 'http')).toMatchObject({
      action: 'DENIED',
      event: { destination: `${OTHER4}:80`, host: 'allowed.example', detail: expect.stringContaining(SERVER4) },
    });
  });

  it('relays large bodies both ways to a slow reader and from a chunked upload (backpressure)', async () => {
    const bytes = 8 * 1024 * 1024;
    const download = await harness.curl(['--limit-rate', '4M', '-o', join(harness.signals, 'big.bin'), '-w', '%{http_code} %{size_download} %header{x-sha256}', '--resolve', `allowed.example:80:${SERVER4}`, `http://allowed.example/public/big?bytes=${bytes}`]);
    // The same bytes, not only as many: the proxy reuses its upstream read buffer unless a write still holds it.
    expect(download.stdout).toBe(`200 ${bytes} ${sha256(join(harness.signals, 'big.bin'))}`);
    const file = join(harness.dir, 'upload.bin');
    writeFileSync(file, Buffer.alloc(bytes, 0x62), { mode: 0o644 });
    expect(statSync(file).size).toBe(bytes);
    const upload = await harness.curl(['-H', 'Transfer-Encoding: chunked', '--data-binary', `@${file}`, '--resolve', `allowed.example:80:${SERVER4}`, 'http://allowed.example/upload/file']);
    expect(JSON.parse(upload.stdout)).toMatchObject({ method: 'POST', url: '/upload/file', bodyBytes: bytes });
  });

  it('tunnels after an allowed upgrade (101), both ways', async () => {
    const head = 'GET /public/ws HTTP/1.1\r\nHost: allowed.example\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n';
    const result = await harness.raw(SERVER4, 80, [{ write: head }, { waitBytes: 72 }, { write: 'not HTTP any more\r\n\r\n' }, { waitBytes: 93 }, { end: true }]);
    expect(statuses(result.received)).toEqual([101]);
    expect(result.received.endsWith('\r\n\r\nnot HTTP any more\r\n\r\n')).toBe(true);
  });

  it('judges IPv6 requests the same way, spoofing included', async () => {
    const allowed = await harness.raw(SERVER6, 80, [{ write: get('/public/v6', 'allowed.example', 'Connection: close\r\n') }]);
    expect(body(allowed.received)).toMatchObject([{ url: '/public/v6', localAddress: SERVER6 }]);
    const spoofed = await harness.raw(OTHER6, 80, [{ write: get('/public/v6', 'allowed.example', 'Connection: close\r\n') }]);
    expect(statuses(spoofed.received)).toEqual([403]);
  });

  it('answers 502 when the original destination refuses the connection', async () => {
    const result = await harness.raw(SERVER4, 8081, [{ write: get('/', 'allowed.example:8081') }]);
    expect(statuses(result.received)).toEqual([502]);
    expect(result.closed).toBe(true);
  });

  it('answers a request whose client half-closes right after it', async () => {
    const result = await harness.raw(SERVER4, 80, [{ write: get('/public/half') }, { end: true }]);
    expect(statuses(result.received)).toEqual([200]);
    expect(result.closed).toBe(true);
  });
});

describe('hostile clients', () => {
  const good = () => harness.curl(['--resolve', `allowed.example:80:${SERVER4}`, 'http://allowed.example/public/good']);

  it('times out a slowloris head while a concurrent good request goes through', async () => {
    const slow = harness.raw(SERVER4, 80, [{ write: 'GET /public/slow HTTP/1.1\r\nHost: allowed.example\r\n' }, { wait: 700 }, { write: 'X-A: 1\r\n' }, { wait: 700 }, { write: 'X-B: 1\r\n' }, { wait: 5_000 }]);
    const concurrent = await good();
    expect(JSON.parse(concurrent.stdout)).toMatchObject({ url: '/public/good' });
    const result = await slow;
    expect(statuses(result.received)).toEqual([408]);
    expect(result.closed).toBe(true);
  });

  it('refuses 1 MB of headers with 431 and closes', async () => {
    const result = await harness.raw(SERVER4, 80, [{ write: 'GET /public/big HTTP/1.1\r\nHost: allowed.example\r\nX-Big: ' }, { repeat: 'a'.repeat(1024), times: 1024 }, { write: '\r\n\r\n' }]);
    expect(statuses(result.received)).toEqual([431]);
    expect(result.closed).toBe(true);
    expect(JSON.parse((await good()).stdout)).toMatchObject({ url: '/public/good' });
  });

  it('refuses smuggling framings before anything reaches the upstream', async () => {
    const smuggle = [
      'POST /public/a HTTP/1.1\r\nHost: allowed.example\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /private HTTP/1.1\r\nHost: allowed.example\r\n\r\n',
      'GET /public/a HTTP/1.1\r\nHost: allowed.example\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n',
      'GET /public/a HTTP/1.1\r\nHost: allowed.example\r\nTransfer-Encoding: chunked, identity\r\n\r\n',
      'GET /public/a HTTP/1.1\r\nHost: allowed.example\r\n Transfer-Encoding: chunked\r\n\r\n',
      'GET /public/a HTTP/1.1\nHost: allowed.example\n\n',
    ];
    for (const attempt of smuggle) {
      const result = await harness.raw(SERVER4, 80, [{ write: attempt }]);
      expect(statuses(result.received).length).toBe(1);
      expect([400, 501]).toContain(statuses(result.received)[0]);
      expect(result.received).not.toContain('"url"');
      expect(result.closed).toBe(true);
    }
  });

  it('closes invalid TLS and non-TLS bytes on 443 without reaching the server', async () => {
    const invalid = await harness.raw(SERVER4, 443, [{ write: '\u0016\u0003\u0001\u0000\u0006\u0002\u0000\u0000\u0002\u0000\u0000' }]);
    expect(invalid).toMatchObject({ received: '', closed: true });
    const plain = await harness.raw(SERVER4, 443, [{ write: 'hello, no TLS here\r\n' }]);
    expect(plain).toMatchObject({ received: '', closed: true });
    const events = await harness.events((all) => all.some((event) => (event.event as Record<string, unknown>).reason === 'malformed' && String((event.event as Record<string, unknown>).detail).startsWith('tls')));
    expect(events.some((event) => (event.event as Record<string, unknown>).reason === 'malformed')).toBe(true);
    expect(JSON.parse((await good()).stdout)).toMatchObject({ url: '/public/good' });
  });
});

describe('admin', () => {
  it('counts decisions in /stats and says /ready', async () => {
    expect((await harness.admin('/ready')).stdout).toBe('ready\n');
    const stats = (await harness.admin('/stats')).stdout;
    expect(stats).toMatch(/^armorkit_proxy_decisions_total\{layer="http",outcome="denied"\} [1-9]/m);
    expect(stats).toMatch(/^armorkit_proxy_decisions_total\{layer="tls",outcome="allowed"\} [1-9]/m);
    expect(stats).toMatch(/^armorkit_proxy_spoofing_refused_total [1-9]/m);
  });

  it('reloads the table for new connections while an open one keeps its own', async () => {
    const go = join(harness.signals, 'go');
    const open = harness.raw(SERVER4, 80, [{ write: get('/public/before') }, { waitBytes: 50 }, { touch: join(harness.signals, 'answered') }, { waitFile: go }, { write: get('/private', 'allowed.example', 'Connection: close\r\n') }]);
    await harness.touched('answered');
    harness.writeConfig({ ...egress, httpRules: [...(egress.httpRules ?? []), { qualifiers: ['allow'], match: { hosts: ['allowed.example'], paths: [{ exact: '/private' }] } }] });
    const reload = await harness.admin('/reload', 'POST');
    expect(reload.stdout).toBe('reloaded\n');
    const fresh = await harness.raw(SERVER4, 80, [{ write: get('/private', 'allowed.example', 'Connection: close\r\n') }]);
    expect(statuses(fresh.received)).toEqual([200]);
    writeFileSync(go, '');
    expect(statuses((await open).received)).toEqual([200, 403]);
  });
});

describe('listener', () => {
  it('listens on loopback only, where REDIRECT delivers the namespace\'s own connections', async () => {
    expect(harness.proxyOutput).toContain('listening on 127.0.0.1:15001, [::1]:15001');
    const sockets = await harness.lab.run(harness.lab.clientNs, ['ss', '-Hltn', 'sport', '=', ':15001']);
    expect(sockets.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/)[3]).sort()).toEqual(['127.0.0.1:15001', '[::1]:15001']);
    // From the outside (not redirected) the proxy port is closed on the namespace's address...
    const outside = await harness.lab.run(harness.lab.serverNs, ['curl', '-sS', '--max-time', '5', `http://${harness.lab.addresses.client4}:15001/`]);
    expect(outside.code).toBe(7);
    expect(outside.stderr).toMatch(/Connection refused|Couldn't connect/);
    // ...while the redirected connection of a workload reached it (every case above), as this one does.
    expect(statuses((await harness.raw(SERVER4, 80, [{ write: get('/public/x', 'allowed.example', 'Connection: close\r\n') }])).received)).toEqual([200]);
  });
});

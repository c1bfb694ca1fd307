// TLS interception between real clients and real servers: network namespaces, the iptables REDIRECT, curl
// (--http1.1, --http2) and a Node HTTP/2 client trusting only the policy's MITM CA, HTTPS and HTTP/2 servers outside
// with certificates of a test CA the proxy trusts as a private CA. Needs root (namespaces, iptables).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyHarness, type Egress } from './proxy-harness.js';

const SERVER4 = '10.77.0.2';
const RULES = '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules';

const egress: Egress = {
  defaultAction: 'deny',
  httpRules: [
    { qualifiers: ['allow'], description: 'public reads', match: { hosts: ['api.mitm.test'], paths: [{ prefix: '/public' }], methods: ['GET'] } },
    { qualifiers: ['deny'], description: 'no secrets', match: { hosts: ['api.mitm.test'], paths: [{ prefix: '/public/secret' }] } },
    { qualifiers: ['allow'], description: 'the echo service', match: { hosts: ['api.mitm.test'], paths: [{ prefix: '/grpc.Echo/' }], methods: ['POST'] } },
    { qualifiers: ['allow', 'audit'], description: 'audited reads', match: { hosts: ['api.mitm.test'], paths: [{ exact: '/audited' }] } },
    { qualifiers: ['allow'], description: 'the other name of the server', match: { hosts: ['other.mitm.test'] } },
  ],
};

const hosts = { 'api.mitm.test': [SERVER4], 'other.mitm.test': [SERVER4] };
const mitm = {
  domains: ['api.mitm.test'],
  headerMutations: [{ domain: 'api.mitm.test', headers: [{ name: 'X-Request-Source', value: 'armorkit-mitm' }] }],
};

type Echo = { method: string; url: string; httpVersion: string; headers: Record<string, string>; alpn: string | null };
type Event = { action: string; event: Record<string, unknown> };

let harness: ProxyHarness;

beforeAll(async () => {
  harness = await ProxyHarness.start(egress, hosts, { mitm });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const url = (path: string, port = 8443): string => `https://api.mitm.test:${port}${path}`;
const codes = (stdout: string): string[] => stdout.trim().split('\n');

describe('HTTPS (HTTP/1.1) intercepted', () => {
  it('terminates TLS with a leaf of the MITM CA, judges each request on one connection, and mutates headers', async () => {
    const allowed = await harness.curlMitm(['--http1.1', '-H', 'X-Request-Source: the-client', url('/public/../public/a?q=1')]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const echo = JSON.parse(allowed.stdout) as Echo;
    expect(echo).toMatchObject({ method: 'GET', url: '/public/a?q=1', httpVersion: '1.1', alpn: 'h2' === echo.alpn ? 'h2' : 'http/1.1' });
    expect(echo.alpn).toBe('http/1.1');
    // The client's value is replaced, not doubled (Envoy's OVERWRITE_IF_EXISTS_OR_ADD).
    expect(echo.headers['x-request-source']).toBe('armorkit-mitm');
    const write = ['-o', '/dev/null', '-w', '%{http_code} %{num_connects}\\n'];
    // curl's options hold for every URL up to --next, which starts over (the CA included) but keeps the connection.
    const next = ['--next', '--cacert', harness.mitmCaFile ?? '', '--http1.1', ...write];
    const several = await harness.curlMitm(['--http1.1', ...write, url('/public/b'), ...write, url('/public/secret/key'), ...next, '-X', 'DELETE', url('/public/c'), ...next, url('/public/d')]);
    // 403 for the deny rule (deny precedence over the public allow) and the method; one connection for all four.
    expect(codes(several.stdout)).toEqual(['200 1', '403 0', '403 0', '200 0']);
  });

  it('refuses a request that names another domain on an intercepted connection (domain fronting)', async () => {
    const fronted = await harness.curlMitm(['--http1.1', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: other.mitm.test:8443', url('/public/a')]);
    expect(fronted.stdout).toBe('403');
  });

  it('speaks HTTP/1.1 to an upstream that offers nothing else', async () => {
    const h1 = await harness.curlMitm(['--http2', '-w', '\\n%{http_version}', url('/public/h1only', 8444)]);
    expect(h1.code, h1.stderr).toBe(0);
    const [body, version] = h1.stdout.split('\n');
    expect(JSON.parse(body ?? '{}')).toMatchObject({ httpVersion: '1.1', headers: { 'x-request-source': 'armorkit-mitm' } });
    expect(version).toBe('1.1');
  });
});

describe('HTTP/2 intercepted', () => {
  it('judges each stream with curl --http2: allowed, denied by method, denied by a deny rule', async () => {
    const write = ['-o', '/dev/null', '-w', '%{http_code} %{http_version} %{num_connects}\\n'];
    const next = ['--next', '--cacert', harness.mitmCaFile ?? '', '--http2', ...write];
    const result = await harness.curlMitm(['--http2', ...write, url('/public/x'), ...write, url('/public/secret'), ...next, '-X', 'POST', url('/public/x')]);
    expect(codes(result.stdout)).toEqual(['200 2 1', '403 2 0', '403 2 0']);
    const echo = await harness.curlMitm(['--http2', '-H', 'x-request-source: the-client', url('/public/h2')]);
    expect(JSON.parse(echo.stdout)).toMatchObject({ httpVersion: '2.0', alpn: 'h2', url: '/public/h2', headers: { ':authority': 'api.mitm.test:8443', 'x-request-source': 'armorkit-mitm' } });
  });

  it('relays concurrent streams of one session, a streaming call with trailers both ways, and a trailers-only answer', async () => {
    const { responses, error } = await harness.h2('https://api.mitm.test:8443', [
      { path: '/public/one' },
      { path: '/private/two' },
      {
        method: 'POST',
        path: '/grpc.Echo/Stream',
        headers: { 'content-type': 'application/grpc', te: 'trailers' },
        chunks: ['first', 'second', 'third'],
        interactive: true,
        trailers: { 'x-client-trailer': 'bye' },
      },
      { method: 'POST', path: '/grpc.Echo/Fail', headers: { 'content-type': 'application/grpc', te: 'trailers' }, chunks: ['x'] },
      { method: 'GET', path: '/grpc.Echo/Stream' },
    ]);
    expect(error).toBeNull();
    const [one, two, call, failed, wrongMethod] = responses;
    expect(one?.status).toBe(200);
    expect(JSON.parse(one?.body ?? '{}')).toMatchObject({ url: '/public/one', httpVersion: '2.0' });
    expect(two).toMatchObject({ status: 403, body: 'armorkit: access denied\n' });
    // Each echo came back before the next chunk went: the stream is relayed as it flows, not buffered.
    expect(call).toMatchObject({ status: 200, echoes: ['echo:first', 'echo:second', 'echo:third'] });
    expect(call?.trailers).toMatchObject({ 'grpc-status': '0', 'grpc-message': 'done', 'x-saw-trailer': 'bye', 'x-saw-header': 'armorkit-mitm' });
    expect(failed).toMatchObject({ status: 200, headers: { 'grpc-status': '7', 'grpc-message': 'refused by the service' } });
    expect(wrongMethod?.status).toBe(403);
  });
});

describe('upstream verification and audit', () => {
  it('refuses an upstream whose certificate is for another name, and says so', async () => {
    const refused = await harness.curlMitm(['--http1.1', url('/public/x', 9443)]);
    expect(refused.code).not.toBe(0);
    const events = (await harness.events((all) => all.some((event) => (event.event as Record<string, unknown>).reason === 'upstream-unverified'))) as Event[];
    const event = events.find((candidate) => candidate.event.reason === 'upstream-unverified');
    expect(event).toMatchObject({ action: 'DENIED', event: { layer: 'tls', serverName: 'api.mitm.test', destination: `${SERVER4}:9443`, action: 'deny' } });
    expect(String(event?.event.detail)).toContain("the destination's certificate is not valid for api.mitm.test");
  });

  it('reports denied and audited requests with the fields of the HTTP/1.1 path, tls true', async () => {
    await harness.curlMitm(['--http2', '-o', '/dev/null', url('/audited')]);
    await harness.curlMitm(['--http1.1', '-o', '/dev/null', '-X', 'PUT', url('/public/put-denied')]);
    await harness.curlMitm(['--http2', '-o', '/dev/null', url('/public/secret/h2')]);
    // Wait for these three requests' own events: earlier tests of this file already logged tls events, so a count
    // of them would return before the log has this test's lines.
    const expected = ['/audited', '/public/put-denied', '/public/secret/h2'];
    const hasPath = (event: Record<string, unknown>, path: string): boolean => {
      const fields = event.event as Record<string, unknown>;
      return fields.tls === true && fields.path === path;
    };
    const events = (await harness.events((all) => expected.every((path) => all.some((event) => hasPath(event, path))))) as Event[];
    const http = events.filter((event) => event.event.tls === true);
    expect(http.find((event) => event.event.path === '/audited')).toMatchObject({
      action: 'AUDIT',
      event: { layer: 'http', host: 'api.mitm.test:8443', method: 'GET', action: 'allow', reason: 'policy', rule: `${RULES}/3`, ruleDescription: 'audited reads', destination: `${SERVER4}:8443` },
    });
    expect(http.find((event) => event.event.path === '/public/put-denied')).toMatchObject({ action: 'DENIED', event: { method: 'PUT', action: 'deny', rule: 'defaultAction' } });
    expect(http.find((event) => event.event.path === '/public/secret/h2')).toMatchObject({ action: 'DENIED', event: { method: 'GET', rule: `${RULES}/1`, ruleDescription: 'no secrets' } });
  });

  it('counts intercepted connections on /stats', async () => {
    const stats = await harness.admin('/stats');
    expect(stats.stdout).toMatch(/armorkit_proxy_decisions_total\{layer="tls",outcome="intercepted"\} [1-9]/);
  });
});

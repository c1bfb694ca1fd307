// The request-head parser against Node's HTTP server (llhttp, strict) on generated requests, valid and subtly not:
// whatever the proxy accepts and forwards, a real server must read the same way (method, target, Host, where the body
// ends and the next request starts). The server may refuse more; the two may never read one byte stream differently,
// which is what request smuggling needs.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyReader } from '../../src/proxy/body-framing.js';
import { parseRequestHead } from '../../src/proxy/http-request-head.js';
import { generator } from '../support/random.js';

interface Seen {
  method: string;
  url: string;
  host: string | undefined;
  body: string;
  /** The body ended where the server expected it (false: the connection closed before). */
  complete: boolean;
}

const random = generator(14);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** Each part of a request: mostly a valid form (any of them), sometimes an odd one. */
const part = (valid: readonly string[], odd: readonly string[]): string => (random() < 0.85 ? pick(valid) : pick(odd));
const METHODS = [['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'M-SEARCH'], ['get', 'G@T', 'GET ', '']] as const;
const TARGETS = [['/', '/a?b=c', '/a%20b', '/%2e%2e/x', '//x', '/a/../b', '*', 'http://h.test/x', "/!$&'()*+,;=:@", '/a#f'], ['/\u00e9', '/a b', '/{x}|^`', '/a\\b', '/"<>', '']] as const;
const VERSIONS = [['HTTP/1.1', 'HTTP/1.0'], ['HTTP/1.2', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1', 'HTTP/01.1', 'HTTP/1']] as const;
const HOSTS = [['Host: h.test', 'Host: h.test:8080', 'Host: [fd00::1]:80', 'host:h.test', 'HOST: h.test', 'Host: h.test\t', 'Host: 10.0.0.1'], ['Host: ', 'Host: h test', 'Host: user@h', 'Host : h.test', 'Host: h.test:99999', 'Host: h/x', 'Host: [zz]']] as const;
const LENGTHS = [['Content-Length: 5', 'Content-Length: 0', 'Content-Length:  5 ', 'Content-Length: 05', 'content-length: 3', 'Content-Length:\t3'], ['Content-Length: +5', 'Content-Length: 5,5', 'Content-Length: -1', 'Content-Length: 5 5', 'Content-Length: 0x5', 'Content-Length: 99999999999999999', 'Content-Length: ']] as const;
const CODINGS = [['Transfer-Encoding: chunked', 'Transfer-Encoding: Chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked ', 'Transfer-Encoding:\tchunked', 'Transfer-Encoding: ,chunked'], ['Transfer-Encoding: chunked, gzip', 'Transfer-Encoding: identity', 'Transfer-Encoding: xchunked', 'Transfer-Encoding: chunked\u000b', 'Transfer-Encoding: ', 'Transfer-Encoding: "chunked"']] as const;
const CONNECTIONS = [['Connection: close', 'Connection: keep-alive', 'Connection: Keep-Alive, close', 'Connection: closed', 'Connection: , close ,', 'Connection: keep-alive\t', 'Connection: TE'], ['Connection: close\u00a0', 'Connection: clo se']] as const;
const OTHERS = [['X-A: b', 'X-A:b', 'X-A: \u0080\u00ff', 'X-A: b c  ', 'Accept: */*', 'User-Agent: t/1', 'X-A: "q,\\"x"'], ['X-A: b\u0000c', 'X-A: a\u007f', 'X A: b', ' X-A: b', '\tX-A: b', 'X-A: b\rc', 'X-A: b\nc', 'X-\u00c4: b', 'X-A;: b', ':b']] as const;
const ENDINGS = [['\r\n'], ['\n', '\r', '\r\r\n', '\n\r']] as const;
const MUTATIONS = ['\r', '\n', '\u0000', ' ', '\t', ':', ',', '\u007f', '\u0080', '0', 'a', ''];
/** Chunked bodies that decode to "abc", written every way a valid one may be. */
const CHUNKED_BODIES = ['3\r\nabc\r\n0\r\n\r\n', '003\r\nabc\r\n0\r\n\r\n', '1;x=y\r\na\r\n2;q="v"\r\nbc\r\n0\r\n\r\n', '3\r\nabc\r\n0\r\nTrailer: 1\r\n\r\n', '3\r\nabc\r\n00\r\n\r\n'];
const SENTINEL = 'GET /sentinel HTTP/1.1\r\nHost: s.test\r\n\r\n';

function requestHead(): string {
  const ending = (): string => (random() < 0.97 ? '\r\n' : part(...ENDINGS));
  const lines = [`${part(...METHODS)} ${part(...TARGETS)} ${part(...VERSIONS)}`];
  if (random() < 0.95) lines.push(part(...HOSTS));
  const extra = Math.floor(random() * 4);
  for (let index = 0; index < extra; index++) {
    const [valid, odd] = pick<readonly [readonly string[], readonly string[]]>([LENGTHS, CODINGS, CONNECTIONS, OTHERS, OTHERS, OTHERS, HOSTS]);
    lines.push(part(valid, odd));
  }
  const framing = random();
  if (framing < 0.25) lines.push(part(...LENGTHS));
  else if (framing < 0.45) lines.push(part(...CODINGS));
  let head = lines.map((line) => `${line}${ending()}`).join('') + ending();
  if (random() < 0.15) {
    const at = Math.floor(random() * head.length);
    head = head.slice(0, at) + pick(MUTATIONS) + head.slice(at + (random() < 0.5 ? 1 : 0));
  }
  return head;
}

/** What the server read from one connection carrying `bytes`, until it closed; an error's code when it refused. */
function serverReading(server: Server, seen: Seen[], bytes: Buffer): Promise<Seen[]> {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
  seen.length = 0;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: address.port, allowHalfOpen: false });
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.once('connect', () => socket.end(bytes));
    socket.once('close', () => resolve([...seen]));
  });
}

let server: Server;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer({ keepAliveTimeout: 5_000, requireHostHeader: true });
  server.on('request', (request: IncomingMessage, response) => {
    // Noted at once: a request whose body the server expects to be longer shows, incomplete, when the bytes end.
    const entry: Seen = { method: request.method ?? '', url: request.url ?? '', host: request.headers.host, body: '', complete: false };
    seen.push(entry);
    request.on('data', (chunk: Buffer) => (entry.body += chunk.toString('latin1')));
    request.on('end', () => {
      entry.complete = true;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('parseRequestHead against llhttp', () => {
  it('never accepts a request a real server reads differently', async () => {
    let refused = 0;
    let compared = 0;
    for (let round = 0; round < 1200; round++) {
      const text = requestHead();
      const bytes = Buffer.from(text, 'latin1');
      const parsed = parseRequestHead(bytes, 0);
      if (parsed.kind !== 'head') {
        refused++;
        continue;
      }
      const { head } = parsed;
      // Upgrades and CONNECT leave HTTP after the head: nothing after it is read as a request by either side.
      if (head.upgrade) continue;
      let body = '';
      let decoded = '';
      if (head.framing.kind === 'chunked') {
        body = pick(CHUNKED_BODIES);
        decoded = 'abc';
        const reader = new BodyReader(head.framing);
        expect(reader.step(Buffer.from(body + SENTINEL, 'latin1'), 0)).toEqual({ used: body.length, done: true });
      } else {
        body = decoded = 'x'.repeat(head.framing.length);
      }
      const stream = Buffer.from(text.slice(0, head.headBytes) + body + (head.keepAlive ? SENTINEL : ''), 'latin1');
      const reading = await serverReading(server, seen, stream);
      // The server may refuse the head (it is stricter there), or close after the request where the proxy would keep
      // the connection (then the proxy answers 502 for what it forwarded after); it may not read the bytes another way.
      if (reading.length === 0) continue;
      compared++;
      const expected: Seen[] = [{ method: head.method, url: head.target, host: head.host, body: decoded, complete: true }];
      if (head.keepAlive && reading.length > 1) expected.push({ method: 'GET', url: '/sentinel', host: 's.test', body: '', complete: true });
      expect(reading, JSON.stringify(text)).toEqual(expected);
    }
    // The generator reaches both sides of the parser.
    expect(compared).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(100);
  }, 120_000);
});

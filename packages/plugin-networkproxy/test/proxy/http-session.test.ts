// The HTTP session's reading of a client's byte stream, whatever its segmentation: heads split across chunks,
// pipelined requests in one chunk, Content-Length and chunked bodies spanning chunks, each request judged on its own,
// the upstream (node:http) reading exactly the requests that were allowed, the client the answers in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cut, responses, SessionHarness, type SeenRequest } from './session-harness.js';
import { generator } from '../support/random.js';

const rule = (index: number, action: 'allow' | 'deny', match: Record<string, unknown>) => ({ index, pointer: `/httpRules/${index}`, action, audit: false, ...match });
const table = {
  defaultAction: 'deny' as const,
  httpRules: [
    rule(0, 'allow', { hosts: ['allowed.test'], methods: ['GET'], paths: [{ prefix: '/' }] }),
    rule(1, 'deny', { hosts: ['allowed.test'], paths: [{ prefix: '/denied' }] }),
    rule(2, 'allow', { hosts: ['allowed.test'], methods: ['POST'], paths: [{ exact: '/upload' }] }),
  ],
};

const requests = [
  'GET /a HTTP/1.1\r\nHost: allowed.test\r\n\r\n',
  'POST /upload HTTP/1.1\r\nHost: allowed.test\r\nContent-Length: 11\r\n\r\nhello world',
  'GET /denied/x HTTP/1.1\r\nHost: allowed.test\r\n\r\n',
  'POST /upload HTTP/1.1\r\nHost: allowed.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
  'GET /a/./b/../c//d?q=1 HTTP/1.1\r\nHost: ALLOWED.test\r\nUser-Agent: test\r\n\r\n',
  'GET /a HTTP/1.1\r\nHost: allowed.test\r\n\r\n',
  'GET /last HTTP/1.1\r\nHost: allowed.test:8080\r\nConnection: close\r\n\r\n',
];
const stream = requests.join('');
const answer = (method: string, url: string, body = '') => ({ status: 200, body: JSON.stringify({ method, url, body }) });
const expectedResponses = [
  answer('GET', '/a'),
  answer('POST', '/upload', 'hello world'),
  { status: 403, body: 'armorkit: access denied\n' },
  answer('POST', '/upload', 'hello world'),
  answer('GET', '/a/c/d?q=1'),
  answer('GET', '/a'),
  answer('GET', '/last'),
];
const expectedSeen: SeenRequest[] = [
  { method: 'GET', url: '/a', host: 'allowed.test', body: '' },
  { method: 'POST', url: '/upload', host: 'allowed.test', body: 'hello world' },
  { method: 'POST', url: '/upload', host: 'allowed.test', body: 'hello world' },
  { method: 'GET', url: '/a/c/d?q=1', host: 'ALLOWED.test', body: '' },
  { method: 'GET', url: '/a', host: 'allowed.test', body: '' },
  { method: 'GET', url: '/last', host: 'allowed.test:8080', body: '' },
];

let harness: SessionHarness;

beforeAll(async () => {
  harness = await SessionHarness.start(table);
});

afterAll(async () => {
  await harness?.close();
});

describe('HttpSession on a byte stream', () => {
  it('reads pipelined requests that come in one chunk, each judged on its own', async () => {
    const { received, seen } = await harness.exchange([stream]);
    expect(responses(received)).toEqual(expectedResponses);
    expect(seen).toEqual(expectedSeen);
  });

  it('reads the same requests when heads and bodies are split across chunks anywhere', async () => {
    // Every request boundary ±1, inside each head, inside both bodies, and byte pieces of several sizes.
    const boundaries = requests.map((_, index) => requests.slice(0, index + 1).join('').length);
    const cuts = [boundaries.flatMap((at) => [at - 1, at, at + 1]), [5, 20, 40, 60, 70, 95, 120, 160, 185, 200, 230, 260]];
    for (const size of [3, 17, 64]) cuts.push(Array.from({ length: Math.ceil(stream.length / size) }, (_, index) => index * size));
    const random = generator(7);
    for (let round = 0; round < 4; round++) cuts.push(Array.from({ length: 12 }, () => Math.floor(random() * stream.length)));
    for (const at of cuts) {
      const { received, seen } = await harness.exchange(cut(stream, at));
      expect(responses(received), `cut at ${at.join(',')}`).toEqual(expectedResponses);
      expect(seen, `cut at ${at.join(',')}`).toEqual(expectedSeen);
    }
  });

  it('reads a head sent one byte at a time', async () => {
    const head = 'GET /slow HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n';
    const { received, seen } = await harness.exchange(head.split(''), { gapMs: 0 });
    expect(responses(received)).toEqual([answer('GET', '/slow')]);
    expect(seen).toEqual([{ method: 'GET', url: '/slow', host: 'allowed.test', body: '' }]);
  });

  it('closes after a denied request with a body, without forwarding it or what follows', async () => {
    const denied = 'POST /denied HTTP/1.1\r\nHost: allowed.test\r\nContent-Length: 5\r\n\r\nhello';
    const { received, seen } = await harness.exchange([`${requests[0]}${denied}${requests[0]}`]);
    expect(responses(received)).toEqual([answer('GET', '/a'), { status: 403, body: 'armorkit: access denied\n' }]);
    expect(seen).toEqual([expectedSeen[0]]);
  });

  it('refuses a denied Upgrade and a CONNECT with 403 and closes, as a request with a body', async () => {
    const upgrade = 'GET /denied/ws HTTP/1.1\r\nHost: allowed.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nframes';
    const refused = await harness.exchange([upgrade], { end: false });
    expect(responses(refused.received)).toEqual([{ status: 403, body: 'armorkit: access denied\n' }]);
    expect(refused.seen).toEqual([]);
    const tunnel = 'CONNECT allowed.test:443 HTTP/1.1\r\nHost: allowed.test:443\r\n\r\nbytes';
    const connect = await harness.exchange([tunnel], { end: false });
    expect(responses(connect.received)).toEqual([{ status: 403, body: 'armorkit: access denied\n' }]);
    expect(connect.seen).toEqual([]);
  });

  it('tunnels after an allowed Upgrade answered 101, with the bytes that came behind the head', async () => {
    const upgrade = 'GET /ws HTTP/1.1\r\nHost: allowed.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n';
    const { received, seen } = await harness.exchange([`${upgrade}first `, 'second']);
    expect(responses(received)).toEqual([{ status: 101, body: 'first second' }]);
    expect(seen).toEqual([{ method: 'GET', url: '/ws', host: 'allowed.test', body: '' }]);
  });

  it('answers each malformed head with its status and closes, after the answers owed before it', async () => {
    const smuggled = 'POST /upload HTTP/1.1\r\nHost: allowed.test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    const { received, seen } = await harness.exchange([requests[0]!, smuggled]);
    expect(responses(received).map((response) => response.status)).toEqual([200, 400]);
    expect(seen).toEqual([expectedSeen[0]]);
    const events = harness.events.filter((event) => (event.event as Record<string, unknown>).reason === 'malformed');
    expect(events.at(-1)).toMatchObject({ action: 'DENIED', event: { detail: 'both Content-Length and Transfer-Encoding' } });
  });
});

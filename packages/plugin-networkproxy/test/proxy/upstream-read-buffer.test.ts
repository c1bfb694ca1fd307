// The upstream read into one reused buffer, in the byte relay and in an HTTP session: under backpressure (a client
// that stops reading) the writes to the client hold chunks the kernel has not taken yet, and the bytes must still
// arrive as they were sent.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDecider } from '../../src/decision/decider.js';
import { decisionTableSchema } from '../../src/decision/table.js';
import { HttpSession } from '../../src/proxy/http-session.js';
import { IdleSweep } from '../../src/proxy/idle-sweep.js';
import { ProxyAudit } from '../../src/proxy/proxy-audit.js';
import { DEFAULT_LIMITS, type ConnectionContext } from '../../src/proxy/proxy-context.js';
import { ProxyStats } from '../../src/proxy/proxy-stats.js';
import { Relay } from '../../src/proxy/relay.js';
import { reusedReadBuffer } from '../../src/proxy/reused-read-buffer.js';
import { connectUpstream } from '../../src/proxy/upstream.js';

/** Above the read size: a write the kernel took only in part still says "go on", so reading goes on while it holds the chunk. */
const HIGH_WATER_MARK = 4 * 1024 * 1024;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(onConnection: (socket: Socket) => void, highWaterMark?: number): Promise<number> {
  const server = createServer({ allowHalfOpen: true, ...(highWaterMark && { highWaterMark }) }, onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
  return address.port;
}

/** Reads everything the proxy sends in bursts with pauses, so that the kernel buffers fill and writes stay unfinished. */
function slowRead(port: number, request?: string): Promise<Buffer> {
  const received: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    const reader = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    reader.on('error', reject);
    if (request !== undefined) reader.write(request);
    reader.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (received.length % 16 === 0) {
        reader.pause();
        setTimeout(() => reader.resume(), 5);
      }
    });
    reader.on('end', () => {
      reader.end();
      resolve(Buffer.concat(received));
    });
  });
}

const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('reusedReadBuffer', () => {
  it('gives the same buffer for the next read unless the last chunk is kept', () => {
    let kept = false;
    const chunks: Buffer[] = [];
    const onread = reusedReadBuffer((chunk) => chunks.push(chunk), () => kept, 16);
    const supply = (): Uint8Array => (typeof onread.buffer === 'function' ? onread.buffer() : onread.buffer);
    const first = supply();
    onread.callback(5, first);
    expect(chunks[0]?.length).toBe(5);
    expect(chunks[0]?.buffer).toBe(first.buffer);
    expect(supply()).toBe(first);
    kept = true;
    onread.callback(3, first);
    const next = supply();
    expect(next).not.toBe(first);
    kept = false;
    onread.callback(2, next);
    expect(supply()).toBe(next);
  });
});

describe('Relay', () => {
  it('delivers 24 MB from the upstream intact while writes to a slow client still hold earlier chunks', async () => {
    const content = randomBytes(24 * 1024 * 1024);
    const upstreamPort = await listen((socket) => {
      socket.on('error', () => undefined);
      socket.end(content);
    });
    const idle = new IdleSweep(30_000);
    const proxyPort = await listen((client) => {
      client.pause();
      const relay = new Relay(client, idle);
      void connectUpstream({ address: '127.0.0.1', port: upstreamPort, family: 4 }, 5_000, relay.onread).then((upstream) => relay.start(upstream));
    }, HIGH_WATER_MARK);
    const received = await slowRead(proxyPort);
    idle.stop();
    expect(received.length).toBe(content.length);
    expect(digest(received)).toBe(digest(content));
  }, 60_000);
});

describe('HttpSession', () => {
  it('relays a 24 MB response intact, its head split across reads, while writes to a slow client hold earlier chunks', async () => {
    const body = randomBytes(24 * 1024 * 1024);
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    // The head in two writes apart: the response framing keeps its first part across reads of the reused buffer.
    const upstreamPort = await listen((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write(head.slice(0, 20));
        setTimeout(() => socket.end(Buffer.concat([Buffer.from(head.slice(20)), body])), 20);
      });
    });
    const idle = new IdleSweep(DEFAULT_LIMITS.idleTimeoutMs);
    const context: ConnectionContext = {
      decider: createDecider(decisionTableSchema.parse({ defaultAction: 'allow', l4Rules: [], httpRules: [] })),
      limits: DEFAULT_LIMITS,
      names: undefined,
      audit: new ProxyAudit({ name: 'memory', write: () => undefined, warn: () => undefined, close: async () => undefined }, 'read-buffer-test'),
      stats: new ProxyStats(),
      idle,
      mitm: undefined,
    };
    const proxyPort = await listen((client) => {
      client.pause();
      new HttpSession(client, { address: '127.0.0.1', port: upstreamPort, family: 4 }, { address: '127.0.0.1', port: client.remotePort ?? 0 }, context, Buffer.alloc(0));
    }, HIGH_WATER_MARK);
    const received = await slowRead(proxyPort, 'GET /big HTTP/1.1\r\nHost: origin.example\r\n\r\n');
    idle.stop();
    const headEnd = received.indexOf('\r\n\r\n') + 4;
    expect(received.subarray(0, headEnd).toString('latin1')).toBe(head);
    expect(received.length - headEnd).toBe(body.length);
    expect(digest(received.subarray(headEnd))).toBe(digest(body));
  }, 60_000);
});

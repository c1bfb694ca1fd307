// The byte relay with its upstream read into one reused buffer: under backpressure (a client that stops reading) the
// writes to the client hold chunks the kernel has not taken yet, and the bytes must still arrive as they were sent.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IdleSweep } from '../../src/proxy/idle-sweep.js';
import { Relay } from '../../src/proxy/relay.js';
import { reusedReadBuffer } from '../../src/proxy/reused-read-buffer.js';
import { connectUpstream } from '../../src/proxy/upstream.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(onConnection: (socket: Socket) => void, highWaterMark?: number): Promise<number> {
  const server = createServer({ allowHalfOpen: true, ...(highWaterMark && { highWaterMark }) }, onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('reusedReadBuffer', () => {
  it('gives the same buffer for the next read unless the last chunk is kept', () => {
    let kept = false;
    const chunks: Buffer[] = [];
    const onread = reusedReadBuffer((chunk) => chunks.push(chunk), () => kept, 16);
    const supply = onread.buffer as () => Uint8Array;
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
      // A high-water mark above the chunk size: a write the kernel took only in part still says "go on", so the relay
      // reads on while that write holds the chunk (with the default mark this happens only now and then).
    }, 4 * 1024 * 1024);
    const received: Buffer[] = [];
    let length = 0;
    await new Promise<void>((resolve, reject) => {
      const reader = connect({ host: '127.0.0.1', port: proxyPort, allowHalfOpen: true });
      reader.on('error', reject);
      // Reads in bursts with pauses: the kernel buffers fill, the proxy's writes stay partly unwritten.
      reader.on('data', (chunk: Buffer) => {
        received.push(chunk);
        length += chunk.length;
        if (received.length % 16 === 0) {
          reader.pause();
          setTimeout(() => reader.resume(), 5);
        }
      });
      reader.on('end', () => {
        reader.end();
        resolve();
      });
    });
    idle.stop();
    expect(length).toBe(content.length);
    expect(digest(Buffer.concat(received))).toBe(digest(content));
  }, 60_000);
});

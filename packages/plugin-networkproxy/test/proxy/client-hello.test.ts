import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseClientHello } from '../../src/proxy/client-hello.js';

/** The first flight of a real Node TLS client (OpenSSL), as the proxy would read it. */
async function realClientHello(options: { servername?: string; ALPNProtocols?: string[] }): Promise<Buffer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const received = new Promise<Buffer>((resolve) => {
    server.once('connection', (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const bytes = Buffer.concat(chunks);
        if (bytes.length >= 5 && bytes.length >= 5 + bytes.readUInt16BE(3)) {
          resolve(bytes);
          socket.destroy();
        }
      });
    });
  });
  const client = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
  client.on('error', () => undefined);
  const hello = await received;
  client.destroy();
  server.close();
  return hello;
}

/** The handshake message re-framed into records of the given sizes. */
function reframe(hello: Buffer, sizes: () => number): Buffer {
  const message = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const records: Buffer[] = [];
  for (let at = 0; at < message.length; ) {
    const size = Math.min(message.length - at, Math.max(1, sizes()));
    records.push(Buffer.from([0x16, 3, 1, size >> 8, size & 0xff]), message.subarray(at, at + size));
    at += size;
  }
  return Buffer.concat(records);
}

/** A deterministic generator, so a failing fuzz case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

describe('parseClientHello', () => {
  it('reads the SNI and ALPN of a real OpenSSL ClientHello, lower-cased', async () => {
    const hello = await realClientHello({ servername: 'API.Example.com', ALPNProtocols: ['h2', 'http/1.1'] });
    expect(parseClientHello(hello)).toEqual({ kind: 'hello', serverName: 'api.example.com', alpn: ['h2', 'http/1.1'] });
  });

  it('has no server name when the client sends none', async () => {
    const hello = await realClientHello({});
    expect(parseClientHello(hello)).toEqual({ kind: 'hello' });
  });

  it('asks for more on every prefix and answers the same on every split into records and segments', async () => {
    const hello = await realClientHello({ servername: 'a.example', ALPNProtocols: ['http/1.1'] });
    for (let cut = 0; cut < hello.length; cut++) expect(parseClientHello(hello.subarray(0, cut))).toEqual({ kind: 'more' });
    const next = random(7);
    for (let round = 0; round < 200; round++) {
      const split = reframe(hello, () => Math.floor(next() * 64));
      expect(parseClientHello(split)).toEqual({ kind: 'hello', serverName: 'a.example', alpn: ['http/1.1'] });
      expect(parseClientHello(split.subarray(0, split.length - 1))).toEqual({ kind: 'more' });
    }
  });

  it('tells TLS from other protocols by the first bytes', () => {
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'not-tls' });
    expect(parseClientHello(Buffer.from([0x16]))).toEqual({ kind: 'more' });
    expect(parseClientHello(Buffer.from([0x16, 0x02, 0, 0, 0]))).toEqual({ kind: 'not-tls' });
  });

  it('refuses malformed handshakes with a reason', async () => {
    const hello = await realClientHello({ servername: 'a.example' });
    const serverHello = Buffer.from(hello);
    serverHello[5] = 2;
    expect(parseClientHello(serverHello)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('not ClientHello') });
    expect(parseClientHello(Buffer.from([0x16, 3, 1, 0x40, 0x01]))).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('16385') });
    // An extensions length one byte longer than what follows.
    const cut = Buffer.from(hello);
    const length = cut.readUInt16BE(3);
    cut.writeUInt16BE(length - 1, 3);
    cut.writeUIntBE(cut.readUIntBE(6, 3) - 1, 6, 3);
    expect(parseClientHello(cut.subarray(0, 5 + length - 1))).toMatchObject({ kind: 'invalid' });
    // A record of another content type in the middle of the handshake.
    const split = reframe(hello, () => 40);
    split[45] = 0x17;
    expect(parseClientHello(split)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('other than a handshake') });
  });

  it('never throws and never reads out of bounds on mutated and truncated hellos', async () => {
    const hello = await realClientHello({ servername: 'fuzz.example', ALPNProtocols: ['h2'] });
    const next = random(42);
    const kinds = new Set<string>();
    for (let round = 0; round < 20_000; round++) {
      const bytes = Buffer.from(hello);
      const flips = 1 + Math.floor(next() * 4);
      for (let flip = 0; flip < flips; flip++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const input = next() < 0.3 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
      const result = parseClientHello(input);
      kinds.add(result.kind);
      if (result.kind === 'hello' && result.serverName !== undefined) expect(result.serverName).toMatch(/^[a-z0-9_.-]+$/);
    }
    expect([...kinds].sort()).toEqual(['hello', 'invalid', 'more', 'not-tls']);
  });
});

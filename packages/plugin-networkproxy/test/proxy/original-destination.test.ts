import { once } from 'node:events';
import { connect, createServer, Socket, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeSockaddr, originalDestination, socketDescriptor } from '../../src/proxy/original-destination.js';

describe('decodeSockaddr', () => {
  it('reads sockaddr_in and sockaddr_in6 as the kernel writes them', () => {
    const v4 = Buffer.alloc(28);
    v4.writeUInt16LE(2, 0);
    v4.writeUInt16BE(8443, 2);
    v4.set([10, 1, 2, 3], 4);
    expect(decodeSockaddr(v4, 16)).toEqual({ ok: true, destination: { address: '10.1.2.3', port: 8443, family: 4 } });
    const v6 = Buffer.alloc(28);
    v6.writeUInt16LE(10, 0);
    v6.writeUInt16BE(443, 2);
    v6.set([0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 8);
    expect(decodeSockaddr(v6, 28)).toEqual({ ok: true, destination: { address: 'fd77::2', port: 443, family: 6 } });
    expect(decodeSockaddr(v6, 4)).toMatchObject({ ok: false });
    const other = Buffer.alloc(28);
    other.writeUInt16LE(1, 0);
    expect(decodeSockaddr(other, 28)).toEqual({ ok: false, reason: 'the kernel returned address family 1' });
  });
});

describe('originalDestination', () => {
  it('says so when a connection was not redirected, and when a socket has no descriptor', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [socket] = (await accepted) as [Socket];
    expect(socketDescriptor(socket)).toBeGreaterThan(2);
    expect(originalDestination(socket, 4)).toEqual({ ok: false, reason: 'the connection was not redirected (no conntrack entry)' });
    client.destroy();
    socket.destroy();
    server.close();
    expect(originalDestination(new Socket(), 4)).toEqual({ ok: false, reason: 'the socket has no file descriptor (not a TCP socket, or already closed)' });
  });
});

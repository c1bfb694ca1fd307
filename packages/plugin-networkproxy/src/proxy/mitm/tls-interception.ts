// An intercepted TLS connection: the upstream first (TLS to the original destination, verified for the client's
// server name, offered the client's own HTTP protocols), then the client's handshake completed by the proxy with a
// leaf for that name, offering exactly the protocol the upstream chose (so no translation between HTTP versions is
// ever needed), then each request judged on its own: HTTP/1.1 by the strict HTTP session, HTTP/2 stream by stream.
import type { Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { Decision, TrafficFacts } from '../../decision/facts.js';
import { requestHostName } from '../../decision/request.js';
import { HttpSession } from '../http-session.js';
import type { IssuedLeaf } from '../../pki/leaf-certificates.js';
import type { Peer } from '../proxy-audit.js';
import type { ConnectionContext } from '../proxy-context.js';
import { Http2Bridge } from './http2-bridge.js';
import type { MitmRuntime } from './mitm-runtime.js';
import { connectUpstreamTls, UpstreamTlsError } from './upstream-tls.js';

const EMPTY = Buffer.alloc(0);
/** The protocols requests can be judged in. */
const HTTP_PROTOCOLS = ['h2', 'http/1.1'] as const;

type TlsFacts = Extract<TrafficFacts, { layer: 'tls' }>;

/** What the client offered, in the proxy's preference; none offered means HTTP/1.1 (what a client without ALPN speaks). */
export function interceptableProtocols(offered: readonly string[] | undefined): string[] {
  if (!offered || offered.length === 0) return ['http/1.1'];
  return HTTP_PROTOCOLS.filter((protocol) => offered.includes(protocol));
}

export function interceptTls(client: Socket, facts: TlsFacts, first: Buffer, decision: Decision & { intercept: string }, peer: Peer, context: ConnectionContext, mitm: MitmRuntime): void {
  const { stats, audit, limits } = context;
  const entry = decision.intercept;
  const refuse = (reason: 'upstream-unverified' | 'unsupported' | 'policy', detail: string): void => {
    stats.decided('tls', 'denied');
    audit.report({ facts, decision: { action: 'deny', audit: true }, reason, client: peer, action: 'deny', detail });
    client.destroy();
  };
  const protocols = interceptableProtocols(facts.alpn);
  if (protocols.length === 0) {
    refuse('unsupported', `ALPN ${facts.alpn?.join(', ') ?? ''} offers no HTTP protocol: an intercepted connection is judged request by request, in h2 or http/1.1`);
    return;
  }
  const serverName = requestHostName(facts.serverName, false);
  const name = serverName ?? facts.destination.address;
  const upstream = connectUpstreamTls({ destination: facts.destination, verifyName: name, alpn: protocols, trust: mitm.upstreamTrust, timeoutMs: limits.upstreamConnectTimeoutMs });
  Promise.all([upstream, mitm.leaves.leafFor(name)]).then(
    ([server, leaf]) => {
      if (client.destroyed) {
        server.destroy();
        return;
      }
      // Until a request needs it the upstream may end or fail; the session sees it when it takes the socket.
      server.on('error', () => server.destroy());
      stats.decided('tls', 'intercepted');
      const protocol = server.alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
      terminate(client, first, leaf, protocol, facts, entry, peer, context, mitm, server);
    },
    (error: unknown) => {
      upstream.then((server) => server.destroy(), () => undefined);
      if (error instanceof UpstreamTlsError && error.unverified) {
        refuse('upstream-unverified', `the destination's certificate is not valid for ${name}: ${error.message}`);
        return;
      }
      stats.upstreamFailures++;
      if (error instanceof UpstreamTlsError) refuse('policy', `the destination could not be reached: ${error.message}`);
      else refuse('unsupported', `no certificate could be made for ${name}: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
}

function terminate(client: Socket, first: Buffer, leaf: IssuedLeaf, protocol: 'h2' | 'http/1.1', facts: TlsFacts, entry: string, peer: Peer, context: ConnectionContext, mitm: MitmRuntime, upstream: TLSSocket): void {
  // The ClientHello already read goes back in front of the socket's stream: the TLS layer reads it from there first.
  client.unshift(first);
  // A TLS server of this one connection (never listening): the documented way to serve a socket accepted elsewhere,
  // which hands the client over in the state node:http2 expects of a server's connection.
  const server = createServer({ cert: leaf.certificatePem, key: leaf.privateKeyPem, ALPNProtocols: [protocol], minVersion: 'TLSv1.2', handshakeTimeout: context.limits.headerTimeoutMs });
  const fail = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.once('close', () => upstream.destroy());
  server.once('tlsClientError', fail);
  server.once('secureConnection', (tls: TLSSocket) => {
    const headers = mitm.headersFor(entry);
    if (tls.alpnProtocol === 'h2') {
      new Http2Bridge(tls, upstream, facts.destination, peer, context, { entry, headers });
      return;
    }
    if (protocol === 'h2') {
      // The upstream speaks HTTP/2 only on this connection; the client did not take it.
      fail();
      return;
    }
    new HttpSession(tls, facts.destination, peer, context, EMPTY, {
      entry,
      headers,
      upstream: () => (upstream.destroyed ? Promise.reject(new Error('the destination closed the connection')) : Promise.resolve(upstream)),
    });
  });
  server.emit('connection', client);
}

// HTTP/2 inside an intercepted connection: the client's session served by the proxy, the upstream's session a client
// of the original destination, each stream judged on its own (method, :path, :authority) and, when allowed, relayed
// as a stream: headers (mutated), data both ways with backpressure, trailers both ways (gRPC's status lives there),
// resets passed on. A denied stream gets a 403 and the others go on.
import {
  connect,
  constants,
  performServerHandshake,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { Destination, TrafficFacts } from '../../decision/facts.js';
import type { Peer } from '../proxy-audit.js';
import type { ConnectionContext } from '../proxy-context.js';
import { mutatedHttp2Headers } from './header-mutation.js';
import type { HeaderValue } from './mitm-runtime.js';

/** Streams a client may open at once on one connection (Envoy's default is 100 too). */
const MAX_CONCURRENT_STREAMS = 100;

function responseHeaders(received: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(received)) if (value !== undefined) out[name] = value;
  return out;
}

export class Http2Bridge {
  private readonly client: ServerHttp2Session;
  private readonly upstream: ClientHttp2Session;
  private closed = false;

  constructor(
    clientSocket: TLSSocket,
    upstreamSocket: TLSSocket,
    private readonly destination: Destination,
    private readonly peer: Peer,
    private readonly context: ConnectionContext,
    private readonly intercepted: { entry: string; headers: readonly HeaderValue[] },
  ) {
    const { limits } = context;
    const settings = { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, maxHeaderListSize: limits.maxHeadBytes };
    // Pseudo-headers count as pairs too (:method, :scheme, :authority, :path).
    this.client = performServerHandshake(clientSocket, { settings, maxHeaderListPairs: limits.maxHeaderCount + 4 });
    this.upstream = connect(`https://${destination.family === 6 ? `[${destination.address}]` : destination.address}:${destination.port}`, {
      createConnection: () => upstreamSocket,
      settings: { enablePush: false },
    });
    this.client.on('stream', (stream, headers) => this.onStream(stream, headers));
    this.client.on('error', () => this.close());
    this.client.on('close', () => this.close());
    this.upstream.on('error', () => this.close());
    // The destination going away ends the client's session gracefully: streams under way finish, new ones are refused.
    this.upstream.on('close', () => this.client.close());
    this.upstream.on('goaway', () => this.client.close());
    this.client.setTimeout(limits.idleTimeoutMs, () => this.close());
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.upstream.destroy();
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const { context } = this;
    context.stats.requestsTotal++;
    stream.on('error', () => stream.destroy());
    const method = headers[':method'] ?? '';
    const path = headers[':path'];
    const authority = headers[':authority'] ?? headers.host;
    if (method === 'CONNECT' || path === undefined) {
      // CONNECT (and extended CONNECT: WebSockets over HTTP/2) would open a tunnel the proxy cannot judge inside.
      this.refuse(stream, { layer: 'tcp', destination: this.destination }, 'unsupported', `HTTP/2 ${method || 'request'} without a path cannot be judged`, 501);
      return;
    }
    const facts: TrafficFacts = {
      layer: 'http',
      destination: this.destination,
      ...(authority !== undefined && { host: authority }),
      method,
      path,
      tls: true,
      mitmDomain: this.intercepted.entry,
    };
    const decision = context.decider.decide(facts);
    const allowed = decision.action === 'allow' && !this.upstream.closed && !this.upstream.destroyed;
    context.stats.decided('http', allowed ? (decision.audit ? 'audited' : 'allowed') : 'denied');
    context.audit.report({ facts, decision, reason: 'policy', client: this.peer, action: allowed ? 'allow' : 'deny' });
    if (!allowed) {
      this.answer(stream, 403, 'armorkit: access denied\n');
      return;
    }
    this.forward(stream, headers, path);
  }

  private refuse(stream: ServerHttp2Stream, facts: TrafficFacts, reason: 'unsupported', detail: string, status: number): void {
    this.context.stats.protocolError('http');
    this.context.audit.report({ facts, decision: { action: 'deny', audit: true }, reason, client: this.peer, action: 'deny', detail });
    this.answer(stream, status, `armorkit: ${detail}\n`);
  }

  /** The proxy's own answer; what the client still sends of its body is read and dropped. */
  private answer(stream: ServerHttp2Stream, status: number, body: string): void {
    if (stream.destroyed) return;
    stream.respond({ ':status': status, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    stream.end(body);
    stream.resume();
  }

  private forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, path: string): void {
    const endStream = stream.endAfterHeaders;
    let request: ClientHttp2Stream;
    try {
      request = this.upstream.request(mutatedHttp2Headers(headers, path, this.intercepted.headers), { endStream, waitForTrailers: !endStream });
    } catch {
      this.context.stats.upstreamFailures++;
      this.answer(stream, 502, 'armorkit: the destination could not be reached\n');
      return;
    }
    let requestTrailers: IncomingHttpHeaders | undefined;
    let responseTrailers: IncomingHttpHeaders | undefined;
    stream.on('trailers', (trailers: IncomingHttpHeaders) => (requestTrailers = trailers));
    request.on('wantTrailers', () => request.sendTrailers(requestTrailers ? responseHeaders(requestTrailers) : {}));
    request.on('trailers', (trailers: IncomingHttpHeaders) => (responseTrailers = trailers));
    if (!endStream) stream.pipe(request);
    request.on('response', (received, flags) => {
      if (stream.destroyed) return;
      const ended = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (ended) {
        // A response of headers only (gRPC's trailers-only errors carry grpc-status here).
        stream.respond(responseHeaders(received), { endStream: true });
        return;
      }
      stream.respond(responseHeaders(received), { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(responseTrailers ? responseHeaders(responseTrailers) : {}));
      request.pipe(stream);
    });
    request.on('error', () => {
      if (!stream.headersSent) {
        this.context.stats.upstreamFailures++;
        this.answer(stream, 502, 'armorkit: the destination could not be reached\n');
      } else {
        stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      }
    });
    // A reset on one side is a reset on the other (a cancelled gRPC call, an upstream refusing a stream).
    request.on('close', () => {
      const code = request.rstCode;
      if (typeof code === 'number' && code !== constants.NGHTTP2_NO_ERROR && !stream.closed && !stream.destroyed) stream.close(code);
    });
    stream.on('close', () => {
      if (request.closed || request.destroyed) return;
      const code = stream.rstCode;
      request.close(typeof code === 'number' && code !== constants.NGHTTP2_NO_ERROR ? code : constants.NGHTTP2_CANCEL);
    });
  }
}

// An HTTP session between real loopback sockets, without a network namespace: a client connection accepted by a
// test listener is handed to HttpSession as the proxy's listener would, with a node:http server (llhttp) as the
// original destination, so what the upstream reads of the forwarded bytes is what a real server reads.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ViolationEvent } from '@armorkit/core/audit';
import { createDecider } from '../../src/decision/decider.js';
import { decisionTableSchema, type DecisionTable } from '../../src/decision/table.js';
import { HttpSession } from '../../src/proxy/http-session.js';
import { IdleSweep } from '../../src/proxy/idle-sweep.js';
import { ProxyAudit } from '../../src/proxy/proxy-audit.js';
import { DEFAULT_LIMITS, type ConnectionContext } from '../../src/proxy/proxy-context.js';
import { ProxyStats } from '../../src/proxy/proxy-stats.js';

/** What the upstream read of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  host: string | undefined;
  body: string;
}

export interface Exchange {
  /** Everything the client received, until the connection closed. */
  received: string;
  /** The requests the upstream read, in order. */
  seen: SeenRequest[];
}

const EMPTY = Buffer.alloc(0);

export class SessionHarness {
  readonly seen: SeenRequest[] = [];

  private constructor(
    private readonly upstream: HttpServer,
    private readonly front: Server,
    private readonly idle: IdleSweep,
    /** The audit events the sessions wrote. */
    readonly events: ViolationEvent[],
    readonly stats: ProxyStats,
  ) {}

  /** A session judged by `table` in front of a node:http origin that answers each request with what it read. */
  static async start(table: Omit<DecisionTable, 'l4Rules'>): Promise<SessionHarness> {
    const upstream = createHttpServer({ keepAliveTimeout: 30_000 });
    await listen(upstream);
    const upstreamPort = portOf(upstream);
    const idle = new IdleSweep(DEFAULT_LIMITS.idleTimeoutMs);
    const events: ViolationEvent[] = [];
    const stats = new ProxyStats();
    const context: ConnectionContext = {
      decider: createDecider(decisionTableSchema.parse({ l4Rules: [], ...table })),
      limits: DEFAULT_LIMITS,
      names: undefined,
      audit: new ProxyAudit({ name: 'memory', write: (event) => events.push(event), warn: () => undefined, close: async () => undefined }, 'session-test'),
      stats,
      idle,
      mitm: undefined,
    };
    const front = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      socket.pause();
      new HttpSession(socket, { address: '127.0.0.1', port: upstreamPort, family: 4 }, { address: '127.0.0.1', port: socket.remotePort ?? 0 }, context, EMPTY);
    });
    await listen(front);
    const harness = new SessionHarness(upstream, front, idle, events, stats);
    upstream.on('request', (request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('latin1');
        harness.seen.push({ method: request.method ?? '', url: request.url ?? '', host: request.headers.host, body });
        const answer = JSON.stringify({ method: request.method, url: request.url, body });
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        response.end(answer);
      });
    });
    // An upgrade to an echo protocol: after the 101, bytes come back as they went.
    upstream.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      harness.seen.push({ method: request.method ?? '', url: request.url ?? '', host: request.headers.host, body: '' });
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
      if (head.length > 0) socket.write(head);
      socket.pipe(socket);
    });
    return harness;
  }

  /**
   * Sends `pieces` as separate writes (one turn of the event loop apart, so that they mostly arrive as separate
   * chunks), half-closes when `end`, and collects what comes back until the proxy closes the connection.
   */
  async exchange(pieces: readonly (string | Buffer)[], options: { end?: boolean; gapMs?: number } = {}): Promise<Exchange> {
    const before = this.seen.length;
    const socket = connect({ host: '127.0.0.1', port: portOf(this.front), noDelay: true, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The proxy ended its side: end ours too, as a client does once it has its answer.
    socket.once('end', () => socket.end());
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const piece of pieces) {
      socket.write(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
      await new Promise((resolve) => setTimeout(resolve, options.gapMs ?? 1));
    }
    if (options.end ?? true) socket.end();
    await closed;
    return { received: Buffer.concat(chunks).toString('latin1'), seen: this.seen.slice(before) };
  }

  async close(): Promise<void> {
    this.idle.stop();
    this.upstream.closeAllConnections();
    await Promise.all([new Promise((resolve) => this.upstream.close(resolve)), new Promise((resolve) => this.front.close(resolve))]);
  }
}

function portOf(server: Server | HttpServer): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
  return address.port;
}

function listen(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

/** The responses in what a client received, each as its status and body (every answer here has a Content-Length). */
export function responses(received: string): Array<{ status: number; body: string }> {
  const out: Array<{ status: number; body: string }> = [];
  let at = 0;
  while (at < received.length) {
    const headEnd = received.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw new Error(`an incomplete response head at ${at}: ${JSON.stringify(received.slice(at, at + 200))}`);
    const head = received.slice(at, headEnd);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (status === 101) {
      out.push({ status, body: received.slice(headEnd + 4) });
      break;
    }
    const bodyLength = Number(length?.[1] ?? 0);
    out.push({ status, body: received.slice(headEnd + 4, headEnd + 4 + bodyLength) });
    at = headEnd + 4 + bodyLength;
  }
  return out;
}

/** `text` cut at the given offsets. */
export function cut(text: string, at: readonly number[]): string[] {
  const points = [...new Set(at.filter((point) => point > 0 && point < text.length))].sort((a, b) => a - b);
  return [0, ...points].map((from, index) => text.slice(from, points[index] ?? text.length));
}

// One accepted connection: its original destination, its protocol from the first bytes, the decision, then either
// an HTTP session or a byte relay (TLS passthrough, plain TCP). Nothing here throws past the socket.
import type { Socket } from 'node:net';
import type { Decision, Destination, TrafficFacts } from '../decision/facts.js';
import { parseClientHello, MAX_CLIENT_HELLO } from './client-hello.js';
import { HttpSession } from './http-session.js';
import { spoofingDetail } from './name-addresses.js';
import { originalDestination } from './original-destination.js';
import { detectProtocol } from './protocol-detection.js';
import type { Peer } from './proxy-audit.js';
import type { ConnectionContext } from './proxy-context.js';
import type { DecisionLayer } from './proxy-stats.js';
import { Relay } from './relay.js';
import { interceptTls } from './mitm/tls-interception.js';
import { connectUpstream } from './upstream.js';

const EMPTY = Buffer.alloc(0);

export function handleConnection(client: Socket, family: 4 | 6, context: ConnectionContext): void {
  const { stats } = context;
  stats.connectionsTotal++;
  stats.connectionsActive++;
  client.once('close', () => {
    stats.connectionsActive--;
    stats.bytesFromClients += client.bytesRead;
  });
  client.on('error', () => client.destroy());
  const found = originalDestination(client, family);
  if (!found.ok) {
    stats.connectionsRefused++;
    client.destroy();
    return;
  }
  const peer: Peer = { address: client.remoteAddress ?? '', port: client.remotePort ?? 0 };
  new FirstBytes(client, found.destination, peer, context).start();
}

/** Reads until the protocol is known (and, for TLS, the whole ClientHello), within the detection deadlines. */
class FirstBytes {
  private buffer: Buffer = EMPTY;
  private timer: NodeJS.Timeout | undefined;
  private late: NodeJS.Immediate | undefined;
  private done = false;
  private readonly onData = (chunk: Buffer): void => this.received(chunk);
  private readonly onEnd = (): void => this.examine(true);

  constructor(
    private readonly client: Socket,
    private readonly destination: Destination,
    private readonly peer: Peer,
    private readonly context: ConnectionContext,
  ) {}

  start(): void {
    // Nothing sent for a while: a server-first protocol (SSH banner, SMTP); judged on L4 rules alone.
    this.timer = setTimeout(() => this.deadline(), this.context.limits.detectTimeoutMs);
    this.client.on('data', this.onData);
    this.client.once('end', this.onEnd);
    this.client.once('close', () => this.stop());
  }

  private stop(): void {
    this.done = true;
    this.clearTimer();
    this.client.off('data', this.onData);
    this.client.off('end', this.onEnd);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.late) clearImmediate(this.late);
    this.timer = undefined;
    this.late = undefined;
  }

  private received(chunk: Buffer): void {
    const first = this.buffer.length === 0;
    this.buffer = first ? chunk : Buffer.concat([this.buffer, chunk]);
    if (first && (this.timer || this.late)) {
      // Bytes came: the rest of a ClientHello or a request line must follow within the header deadline.
      this.clearTimer();
      this.timer = setTimeout(() => this.deadline(), this.context.limits.headerTimeoutMs);
    }
    this.examine(false);
  }

  /**
   * A deadline passed. Timers run before the event loop polls its sockets: after a stall of the whole process (a
   * busy machine) bytes the client sent in time may be waiting unread, so they are read before the deadline counts.
   */
  private deadline(): void {
    this.timer = undefined;
    this.late = setImmediate(() => this.timedOut());
  }

  private timedOut(): void {
    if (this.done) return;
    if (this.buffer.length === 0) {
      this.hand('tcp');
      return;
    }
    this.refuse(detectProtocol(this.buffer) === 'tls' ? 'tls' : 'http', 'the first bytes did not complete in time');
  }

  private examine(ended: boolean): void {
    if (this.done) return;
    const protocol = detectProtocol(this.buffer);
    if (protocol === undefined) {
      if (ended) this.hand('tcp');
      return;
    }
    if (protocol !== 'tls') {
      this.hand(protocol);
      return;
    }
    const hello = parseClientHello(this.buffer);
    if (hello.kind === 'more') {
      if (ended) this.refuse('tls', 'the client ended its side in the middle of a ClientHello');
      else if (this.buffer.length > MAX_CLIENT_HELLO + 1024) this.refuse('tls', 'the ClientHello is too large');
      return;
    }
    if (hello.kind === 'invalid' || hello.kind === 'not-tls') {
      this.refuse('tls', hello.kind === 'invalid' ? hello.reason : 'not a TLS handshake');
      return;
    }
    this.stop();
    this.client.pause();
    const facts: TrafficFacts = {
      layer: 'tls',
      destination: this.destination,
      ...(hello.serverName !== undefined && { serverName: hello.serverName }),
      ...(hello.alpn && { alpn: hello.alpn }),
    };
    decideAndRelay(this.client, facts, this.buffer, this.peer, this.context);
  }

  private hand(protocol: 'tcp' | 'http'): void {
    this.stop();
    this.client.pause();
    if (protocol === 'http') {
      new HttpSession(this.client, this.destination, this.peer, this.context, this.buffer);
      return;
    }
    decideAndRelay(this.client, { layer: 'tcp', destination: this.destination }, this.buffer, this.peer, this.context);
  }

  private refuse(layer: DecisionLayer, reason: string): void {
    this.stop();
    this.context.stats.protocolError(layer);
    this.context.audit.report({
      facts: { layer: 'tcp', destination: this.destination },
      decision: { action: 'deny', audit: true },
      reason: 'malformed',
      client: this.peer,
      action: 'deny',
      detail: `${layer}: ${reason}`,
    });
    this.client.destroy();
  }
}

/** L4 and TLS passthrough: one decision for the connection, then the bytes already read and the rest, piped. */
function decideAndRelay(client: Socket, facts: TrafficFacts & { layer: 'tcp' | 'tls' }, first: Buffer, peer: Peer, context: ConnectionContext): void {
  const decision = context.decider.decide(facts);
  if (facts.layer === 'tls' && decision.intercept !== undefined) {
    if (context.mitm) {
      interceptTls(client, facts, first, { ...decision, intercept: decision.intercept }, peer, context, context.mitm);
      return;
    }
    // A table that intercepts without a CA to do it with: its requests cannot be judged, so nothing passes.
    context.stats.decided('tls', 'denied');
    context.audit.report({ facts, decision: { action: 'deny', audit: true }, reason: 'unsupported', client: peer, action: 'deny', detail: `${decision.intercept} is to be intercepted, and the proxy has no MITM CA` });
    client.destroy();
    return;
  }
  const finish = (spoofDetail: string | undefined): void => {
    const allowed = decision.action === 'allow' && spoofDetail === undefined;
    if (spoofDetail !== undefined) context.stats.spoofingRefused++;
    context.stats.decided(facts.layer, allowed ? (decision.audit ? 'audited' : 'allowed') : 'denied');
    context.audit.report({
      facts,
      decision,
      reason: spoofDetail === undefined ? 'policy' : 'spoofing',
      client: peer,
      action: allowed ? 'allow' : 'deny',
      ...(spoofDetail !== undefined && { detail: spoofDetail }),
    });
    if (!allowed) {
      client.destroy();
      return;
    }
    const relay = new Relay(client, context.idle);
    connectUpstream(facts.destination, context.limits.upstreamConnectTimeoutMs, relay.onread).then(
      (upstream) => {
        if (client.destroyed) {
          upstream.destroy();
          return;
        }
        upstream.once('close', () => (context.stats.bytesFromUpstreams += upstream.bytesRead));
        if (first.length > 0) upstream.write(first);
        relay.start(upstream);
      },
      () => {
        context.stats.upstreamFailures++;
        client.destroy();
      },
    );
  };
  checkName(decision, facts.destination, context, finish);
}

/** Calls `then` with undefined when the name check passes (or is not needed), else with what refused it. */
function checkName(decision: Decision, destination: Destination, context: ConnectionContext, then: (spoofDetail: string | undefined) => void): void {
  const name = decision.allowedByName;
  if (decision.action !== 'allow' || name === undefined || !context.names) {
    then(undefined);
    return;
  }
  const detail = (addresses: string[]): string => spoofingDetail(name, addresses, destination.address);
  const verdict = context.names.verify(name, destination.address);
  if (verdict instanceof Promise) void verdict.then((answer) => then(answer.ok ? undefined : detail(answer.addresses)));
  else then(verdict.ok ? undefined : detail(verdict.addresses));
}

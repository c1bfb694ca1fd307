// One plain HTTP/1.x client connection: every request judged on its own, its body forwarded (or discarded) by its
// framing so the next head is found, responses relayed as bytes in order with the proxy's own answers in between.
// One upstream connection per client connection, always to the original destination.
import type { Socket } from 'node:net';
import type { Decision, Destination, TrafficFacts } from '../decision/facts.js';
import { BodyReader } from './body-framing.js';
import { forwardedHead } from './forwarded-head.js';
import { mutatedHead } from './mitm/header-mutation.js';
import type { HeaderValue } from './mitm/mitm-runtime.js';
import { parseRequestHead, type RequestHead } from './http-request-head.js';
import { localResponse } from './local-response.js';
import { spoofingDetail, type NameVerdict } from './name-addresses.js';
import type { Peer } from './proxy-audit.js';
import type { ConnectionContext } from './proxy-context.js';
import { ResponseFraming } from './response-framing.js';
import { connectUpstream } from './upstream.js';

/** A session inside an intercepted TLS connection: judged as TLS requests of that mitm entry, headers mutated. */
export interface InterceptedSession {
  /** The mitm domain entry the connection was intercepted for. */
  entry: string;
  headers: readonly HeaderValue[];
  /** The upstream connection, verified already (the original destination's TLS). */
  upstream: () => Promise<Socket>;
}

type Reply = { kind: 'upstream' } | { kind: 'local'; bytes: Buffer; close: boolean };
type State = 'head' | 'body' | 'deciding' | 'upgrading' | 'tunnel' | 'closing';

const EMPTY = Buffer.alloc(0);
/** After the proxy's last answer, how long the client gets to read it before the socket goes. */
const LINGER_MS = 2_000;

export class HttpSession {
  private buffer: Buffer;
  private state: State = 'head';
  private body: BodyReader | undefined;
  private forwardBody = false;
  /** The request being forwarded is the connection's last (Connection: close, HTTP/1.0). */
  private lastRequest = false;
  private upgradeAfterBody = false;
  private upstream: Socket | undefined;
  private connecting = false;
  private upstreamGone = false;
  private readonly pendingUpstream: Buffer[] = [];
  private readonly responses = new ResponseFraming();
  private readonly replies: Reply[] = [];
  private responseStarted = false;
  private clientEnded = false;
  private finished = false;
  private upstreamNeedsDrain = false;
  private headerTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Socket,
    private readonly destination: Destination,
    private readonly peer: Peer,
    private readonly context: ConnectionContext,
    initial: Buffer,
    private readonly intercepted?: InterceptedSession,
  ) {
    this.buffer = initial;
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => {
      this.clientEnded = true;
      this.pump();
    });
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    client.setTimeout(context.limits.idleTimeoutMs, () => this.destroy());
    this.pump();
    this.updateClientFlow();
  }

  private onClientData(chunk: Buffer): void {
    if (this.state === 'closing' || this.finished) return;
    if (this.state === 'tunnel') {
      this.writeUpstream(chunk);
      return;
    }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.pump();
  }

  /** Processes buffered client bytes as far as the state allows. */
  private pump(): void {
    for (;;) {
      if (this.finished) return;
      if (this.state === 'head') {
        if (this.buffer.length === 0) {
          if (this.clientEnded) this.noMoreRequests();
          return;
        }
        const parsed = parseRequestHead(this.buffer, 0, this.context.limits);
        if (parsed.kind === 'more') {
          if (this.clientEnded) this.refuseMalformed(400, 'the client ended its side in the middle of a request head');
          else this.armHeaderTimer();
          return;
        }
        this.clearHeaderTimer();
        if (parsed.kind === 'error') {
          this.refuseMalformed(parsed.status, parsed.reason);
          return;
        }
        this.judge(parsed.head);
      } else if (this.state === 'body') {
        if (this.buffer.length === 0) {
          // The client ended in the middle of a body: the upstream would wait for the rest forever.
          if (this.clientEnded) this.destroy();
          return;
        }
        const step = this.body?.step(this.buffer, 0) ?? { error: 'no body' };
        if ('error' in step) {
          this.context.stats.protocolError('http');
          this.destroy();
          return;
        }
        const chunk = this.buffer.subarray(0, step.used);
        this.buffer = this.buffer.subarray(step.used);
        if (this.forwardBody) this.writeUpstream(chunk);
        if (step.done) this.afterMessage();
      } else {
        return;
      }
    }
  }

  private judge(head: RequestHead): void {
    const { context } = this;
    context.stats.requestsTotal++;
    const facts: TrafficFacts = {
      layer: 'http',
      destination: this.destination,
      ...(head.host !== undefined && { host: head.host }),
      method: head.method,
      path: head.target,
      tls: this.intercepted !== undefined,
      ...(this.intercepted && { mitmDomain: this.intercepted.entry }),
    };
    const decision = context.decider.decide(facts);
    // Inside an intercepted connection the upstream's certificate was verified for the name: nothing to spoof.
    if (decision.action === 'allow' && decision.allowedByName !== undefined && context.names && !this.intercepted) {
      const verdict = context.names.verify(decision.allowedByName, this.destination.address);
      if (verdict instanceof Promise) {
        this.state = 'deciding';
        this.updateClientFlow();
        void verdict.then((answer) => {
          if (this.finished) return;
          this.apply(head, facts, decision, answer);
          this.updateClientFlow();
          this.pump();
        });
        return;
      }
      this.apply(head, facts, decision, verdict);
      return;
    }
    this.apply(head, facts, decision, { ok: true });
  }

  private apply(head: RequestHead, facts: TrafficFacts, decision: Decision, names: NameVerdict): void {
    const { context } = this;
    const headBytes = this.buffer.subarray(0, head.headBytes);
    this.buffer = this.buffer.subarray(head.headBytes);
    const spoofed = !names.ok;
    const allowed = decision.action === 'allow' && !spoofed && !this.upstreamGone;
    if (spoofed) context.stats.spoofingRefused++;
    context.stats.decided('http', allowed ? (decision.audit ? 'audited' : 'allowed') : 'denied');
    context.audit.report({
      facts,
      decision,
      reason: spoofed ? 'spoofing' : 'policy',
      client: this.peer,
      action: allowed ? 'allow' : 'deny',
      ...(spoofed && { detail: spoofingDetail(decision.allowedByName ?? '', names.addresses, this.destination.address) }),
    });
    this.body = new BodyReader(head.framing);
    if (allowed) {
      this.writeUpstream(this.intercepted ? mutatedHead(head, headBytes, this.intercepted.headers) : forwardedHead(head, headBytes));
      this.responses.expect(head.method);
      this.replies.push({ kind: 'upstream' });
      this.forwardBody = true;
      this.lastRequest = !head.keepAlive;
      this.upgradeAfterBody = head.upgrade;
      this.state = 'body';
      if (this.body.done) this.afterMessage();
    } else {
      // A denied request with a body is answered at once: the client may never send that body (Expect: 100-continue),
      // so the connection closes rather than guess where the next request starts.
      const hasBody = !this.body.done;
      const keep = head.keepAlive && !hasBody && !head.upgrade;
      this.pushLocal(localResponse(403, keep), !keep);
      if (keep) this.state = 'head';
    }
    this.updateClientFlow();
  }

  /** The current request's body is complete. */
  private afterMessage(): void {
    this.body = undefined;
    if (this.lastRequest) this.state = 'closing';
    else if (this.upgradeAfterBody) this.state = 'upgrading';
    else this.state = 'head';
    this.updateClientFlow();
  }

  private refuseMalformed(status: number, reason: string): void {
    this.clearHeaderTimer();
    this.context.stats.protocolError('http');
    this.context.audit.report({
      facts: { layer: 'tcp', destination: this.destination },
      decision: { action: 'deny', audit: true },
      reason: 'malformed',
      client: this.peer,
      action: 'deny',
      detail: reason,
    });
    this.pushLocal(localResponse(status, false), true);
  }

  private pushLocal(bytes: Buffer, close: boolean): void {
    if (close) this.state = 'closing';
    this.replies.push({ kind: 'local', bytes, close });
    this.flushReplies();
  }

  /** Writes the proxy's answers that are next in order; ends the connection after a closing one. */
  private flushReplies(): void {
    while (this.replies[0]?.kind === 'local') {
      const reply = this.replies.shift();
      if (reply?.kind !== 'local') break;
      this.client.write(reply.bytes);
      if (reply.close) {
        this.finishClient();
        return;
      }
    }
    if (this.replies.length === 0 && (this.state === 'closing' || this.upstreamGone || (this.clientEnded && this.buffer.length === 0 && this.state === 'head'))) {
      this.finishClient();
    }
  }

  private noMoreRequests(): void {
    if (this.replies.length === 0) this.finishClient();
    // Let the upstream see the client's end: it finishes the responses owed, then closes.
    else this.upstream?.end();
  }

  /** Our side ends after what is written; the client's remaining bytes are read and dropped, then the socket goes. */
  private finishClient(): void {
    if (this.finished) return;
    this.finished = true;
    this.state = 'closing';
    this.clearHeaderTimer();
    this.upstream?.destroy();
    this.client.end();
    this.client.resume();
    const linger = setTimeout(() => this.client.destroy(), LINGER_MS);
    linger.unref();
    this.client.once('close', () => clearTimeout(linger));
  }

  private destroy(): void {
    this.finished = true;
    this.clearHeaderTimer();
    this.client.destroy();
    this.upstream?.destroy();
  }

  private armHeaderTimer(): void {
    if (this.headerTimer) return;
    this.headerTimer = setTimeout(() => {
      this.headerTimer = undefined;
      if (!this.finished && this.state === 'head') this.refuseMalformed(408, `no complete request head within ${this.context.limits.headerTimeoutMs} ms`);
    }, this.context.limits.headerTimeoutMs);
  }

  private clearHeaderTimer(): void {
    if (this.headerTimer) clearTimeout(this.headerTimer);
    this.headerTimer = undefined;
  }

  // --- upstream side ---

  private writeUpstream(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (!this.upstream) {
      this.pendingUpstream.push(bytes);
      if (!this.connecting) this.openUpstream();
      return;
    }
    if (!this.upstream.write(bytes)) {
      this.upstreamNeedsDrain = true;
      this.updateClientFlow();
      this.upstream.once('drain', () => {
        this.upstreamNeedsDrain = false;
        this.updateClientFlow();
      });
    }
  }

  private openUpstream(): void {
    this.connecting = true;
    this.updateClientFlow();
    (this.intercepted?.upstream() ?? connectUpstream(this.destination, this.context.limits.upstreamConnectTimeoutMs)).then(
      (upstream) => {
        this.connecting = false;
        if (this.finished) {
          upstream.destroy();
          return;
        }
        this.upstream = upstream;
        upstream.once('close', () => (this.context.stats.bytesFromUpstreams += upstream.bytesRead));
        upstream.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
        upstream.on('end', () => this.onUpstreamEnd());
        upstream.on('error', () => this.onUpstreamFailure(502));
        upstream.on('close', () => this.onUpstreamEnd());
        upstream.setTimeout(this.context.limits.idleTimeoutMs, () => this.destroy());
        for (const bytes of this.pendingUpstream.splice(0)) this.writeUpstream(bytes);
        if (this.clientEnded && this.state === 'head' && this.buffer.length === 0) upstream.end();
        this.updateClientFlow();
      },
      (error: unknown) => {
        this.connecting = false;
        this.context.stats.upstreamFailures++;
        this.onUpstreamFailure(error instanceof Error && error.message.includes('longer than') ? 504 : 502);
      },
    );
  }

  private onUpstreamData(chunk: Buffer): void {
    if (this.finished) return;
    if (this.state === 'tunnel') {
      this.writeClient(chunk);
      return;
    }
    // The chunk goes to the client in as few writes as the proxy's own answers allow (one, unless one goes between).
    let written = 0;
    const flush = (to: number): void => {
      if (to > written) this.writeClient(chunk.subarray(written, to));
      written = Math.max(written, to);
    };
    let from = 0;
    while (from < chunk.length) {
      const step = this.responses.step(chunk, from);
      if ('error' in step) {
        this.context.stats.protocolError('http');
        this.destroy();
        return;
      }
      if (step.used > 0) this.responseStarted = true;
      from += step.used;
      if ('tunnel' in step) {
        this.replies.shift();
        this.state = 'tunnel';
        flush(chunk.length);
        const pending = this.buffer;
        this.buffer = EMPTY;
        this.writeUpstream(pending);
        this.updateClientFlow();
        return;
      }
      if (step.completed) {
        this.replies.shift();
        this.responseStarted = false;
        if (this.state === 'upgrading') this.state = 'head';
        // What comes next is ours (an answer, or the end): the upstream's bytes so far go first.
        if (this.replies[0]?.kind !== 'upstream') flush(from);
        this.flushReplies();
        if (this.finished) return;
        this.updateClientFlow();
        this.pump();
      } else if (step.used === 0) {
        break;
      }
    }
    flush(from);
  }

  private onUpstreamEnd(): void {
    if (this.upstreamGone || this.finished) return;
    this.upstreamGone = true;
    if (this.state === 'tunnel') {
      this.finishClient();
      return;
    }
    if (this.responses.endsAtClose && this.replies[0]?.kind === 'upstream') {
      this.replies.shift();
      this.responseStarted = false;
    }
    if (this.replies.some((reply) => reply.kind === 'upstream')) {
      this.onUpstreamFailure(502);
      return;
    }
    this.flushReplies();
  }

  /** The upstream cannot answer what it owes: a 502 / 504 when its response has not begun, else the client is cut. */
  private onUpstreamFailure(status: 502 | 504): void {
    if (this.finished) return;
    this.upstreamGone = true;
    if (this.responseStarted || this.state === 'tunnel') {
      this.destroy();
      return;
    }
    this.replies.splice(0);
    this.pushLocal(localResponse(status, false), true);
  }

  private writeClient(bytes: Buffer): void {
    if (!this.client.write(bytes)) {
      this.upstream?.pause();
      this.client.once('drain', () => {
        if (!this.finished) this.upstream?.resume();
      });
    }
  }

  /** Reads from the client only when its bytes can go somewhere now. */
  private updateClientFlow(): void {
    if (this.finished) return;
    const hold =
      this.state === 'deciding' ||
      this.state === 'upgrading' ||
      this.connecting ||
      this.upstreamNeedsDrain ||
      this.replies.length >= this.context.limits.maxPipelinedRequests;
    if (hold) this.client.pause();
    else this.client.resume();
  }
}

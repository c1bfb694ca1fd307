// One plain HTTP/1.x client connection: every request judged on its own, its body forwarded (or discarded) by its
// framing so the next head is found, responses relayed as bytes in order with the proxy's own answers in between.
// One upstream connection per client connection, always to the original destination.
import type { Socket } from 'node:net';
import type { Decision, Destination, TrafficFacts } from '../decision/facts.js';
import { BodyReader } from './body-framing.js';
import { forwardedHead, forwardedTarget } from './forwarded-head.js';
import { mutatedHead } from './mitm/header-mutation.js';
import type { HeaderValue } from './mitm/mitm-runtime.js';
import { NO_BODY, parseRequestHead, type RequestHead } from './http-request-head.js';
import { LF } from './http-token.js';
import type { IdleEntry } from './idle-sweep.js';
import { localResponse } from './local-response.js';
import { spoofingDetail, type NameVerdict } from './name-addresses.js';
import type { Peer } from './proxy-audit.js';
import type { ConnectionContext } from './proxy-context.js';
import { ResponseFraming } from './response-framing.js';
import { reusedReadBuffer } from './reused-read-buffer.js';
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

/** A request's judgement, kept for the next request of the connection that reads the same. */
interface Judged {
  host: string | undefined;
  method: string;
  target: string;
  facts: TrafficFacts;
  decision: Decision;
  /** The target goes upstream as received (already normalized): the head's bytes are forwarded untouched. */
  targetKept: boolean;
}

const EMPTY = Buffer.alloc(0);
const UPSTREAM: Reply = Object.freeze({ kind: 'upstream' });
const NAME_OK: NameVerdict = Object.freeze({ ok: true });
/** After the proxy's last answer, how long the client gets to read it before the socket goes. */
const LINGER_MS = 2_000;

export class HttpSession {
  /** The client's bytes not yet read start at `offset`. */
  private buffer: Buffer;
  private offset = 0;
  /**
   * Client bytes [forwardFrom, offset) go upstream as they came (allowed heads whose target is kept, and bodies):
   * written in one piece when the reading stops, so pipelined requests in one chunk cost one write. -1: none.
   */
  private forwardFrom = -1;
  /** A head was incomplete: the client's next bytes are read only once a line ends in them (or the limit is near). */
  private waitingForLine = false;
  private state: State = 'head';
  private body: BodyReader | undefined;
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
  private clientPaused = true;
  private upstreamNeedsDrain = false;
  private clientNeedsDrain = false;
  private headerTimer: NodeJS.Timeout | undefined;
  private headerLate: NodeJS.Immediate | undefined;
  /**
   * The last request's judgement: the same host, method and target on this connection (same table, same destination)
   * decide the same, so the decider is asked again only when one of them changes.
   */
  private judged: Judged | undefined;
  /** Traffic either way keeps the connection; none for the idle timeout closes it. */
  private readonly idle: IdleEntry;

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
      // In a tunnel the client's end is the upstream's to see (half-close), as in a relay.
      if (this.state === 'tunnel') this.upstream?.end();
      else this.pump();
    });
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    this.idle = context.idle.watch(() => this.destroy());
    this.pump();
    this.updateClientFlow();
  }

  private onClientData(chunk: Buffer): void {
    this.idle.touch();
    if (this.state === 'closing' || this.finished) return;
    if (this.state === 'tunnel') {
      this.writeUpstream(chunk);
      return;
    }
    // Bytes are kept only across an incomplete head or a paused decision: usually the chunk is read where it is.
    this.buffer = this.offset === this.buffer.length ? chunk : Buffer.concat([this.buffer.subarray(this.offset), chunk]);
    this.offset = 0;
    if (this.waitingForLine) {
      // A head ends with a line: until one ends, reading it again would only find it incomplete (byte-by-byte senders).
      if (chunk.indexOf(LF) < 0 && this.buffer.length < this.context.limits.maxHeadBytes) return;
      this.waitingForLine = false;
    }
    this.pump();
  }

  /** Processes buffered client bytes as far as the state allows. */
  private pump(): void {
    for (;;) {
      if (this.finished) return;
      if (this.state === 'head') {
        if (this.offset === this.buffer.length) {
          this.flushForward();
          if (this.clientEnded) this.noMoreRequests();
          return;
        }
        const parsed = parseRequestHead(this.buffer, this.offset, this.context.limits);
        if (parsed.kind === 'more') {
          this.flushForward();
          if (this.clientEnded) {
            this.refuseMalformed(400, 'the client ended its side in the middle of a request head');
          } else {
            this.waitingForLine = true;
            this.armHeaderTimer();
          }
          return;
        }
        this.clearHeaderTimer();
        if (parsed.kind === 'error') {
          this.flushForward();
          this.refuseMalformed(parsed.status, parsed.reason);
          return;
        }
        this.judge(parsed.head);
      } else if (this.state === 'body') {
        if (this.offset === this.buffer.length) {
          this.flushForward();
          // The client ended in the middle of a body: the upstream would wait for the rest forever.
          if (this.clientEnded) this.destroy();
          return;
        }
        const step = this.body?.step(this.buffer, this.offset) ?? { error: 'no body' };
        if ('error' in step) {
          this.context.stats.protocolError('http');
          this.destroy();
          return;
        }
        if (this.forwardFrom < 0) this.forwardFrom = this.offset;
        this.offset += step.used;
        if (step.done) this.afterMessage();
      } else {
        this.flushForward();
        return;
      }
    }
  }

  /** Writes the client bytes waiting to go upstream as they came, and lets go of the part of the buffer read. */
  private flushForward(): void {
    if (this.forwardFrom >= 0) {
      const from = this.forwardFrom;
      this.forwardFrom = -1;
      this.writeUpstream(from === 0 && this.offset === this.buffer.length ? this.buffer : this.buffer.subarray(from, this.offset));
    }
    if (this.offset === this.buffer.length) {
      this.buffer = EMPTY;
      this.offset = 0;
    }
  }

  private judge(head: RequestHead): void {
    const { context } = this;
    context.stats.requestsTotal++;
    let judged = this.judged;
    if (judged === undefined || judged.target !== head.target || judged.host !== head.host || judged.method !== head.method) {
      const facts: TrafficFacts = {
        layer: 'http',
        destination: this.destination,
        ...(head.host !== undefined && { host: head.host }),
        method: head.method,
        path: head.target,
        tls: this.intercepted !== undefined,
        ...(this.intercepted && { mitmDomain: this.intercepted.entry }),
      };
      judged = { host: head.host, method: head.method, target: head.target, facts, decision: context.decider.decide(facts), targetKept: forwardedTarget(head) === head.target };
      this.judged = judged;
    }
    const { decision } = judged;
    // Inside an intercepted connection the upstream's certificate was verified for the name: nothing to spoof.
    if (decision.action === 'allow' && decision.allowedByName !== undefined && context.names && !this.intercepted) {
      const verdict = context.names.verify(decision.allowedByName, this.destination.address);
      if (verdict instanceof Promise) {
        // What was read before this head goes now; this head and what follows wait for the answer.
        this.flushForward();
        this.state = 'deciding';
        this.updateClientFlow();
        const current = judged;
        void verdict.then((answer) => {
          if (this.finished) return;
          this.apply(head, current, answer);
          this.updateClientFlow();
          this.pump();
        });
        return;
      }
      this.apply(head, judged, verdict);
      return;
    }
    this.apply(head, judged, NAME_OK);
  }

  private apply(head: RequestHead, judged: Judged, names: NameVerdict): void {
    const { context } = this;
    const { decision, facts } = judged;
    const headStart = this.offset;
    const spoofed = !names.ok;
    const allowed = decision.action === 'allow' && !spoofed && !this.upstreamGone;
    if (spoofed) context.stats.spoofingRefused++;
    context.stats.decided('http', allowed ? (decision.audit ? 'audited' : 'allowed') : 'denied');
    if (!allowed || decision.audit) {
      context.audit.report({
        facts,
        decision,
        reason: spoofed ? 'spoofing' : 'policy',
        client: this.peer,
        action: allowed ? 'allow' : 'deny',
        ...(spoofed && { detail: spoofingDetail(decision.allowedByName ?? '', names.addresses, this.destination.address) }),
      });
    }
    const hasBody = head.framing !== NO_BODY;
    if (allowed) {
      const mutations = this.intercepted?.headers ?? [];
      if (judged.targetKept && mutations.length === 0) {
        if (this.forwardFrom < 0) this.forwardFrom = headStart;
      } else {
        this.flushForward();
        const headBytes = this.buffer.subarray(headStart, headStart + head.headBytes);
        this.writeUpstream(this.intercepted ? mutatedHead(head, headBytes, mutations) : forwardedHead(head, headBytes));
      }
      this.offset = headStart + head.headBytes;
      this.responses.expect(head.method);
      this.replies.push(UPSTREAM);
      this.lastRequest = !head.keepAlive;
      this.upgradeAfterBody = head.upgrade;
      this.state = 'body';
      if (hasBody) this.body = new BodyReader(head.framing);
      else this.afterMessage();
    } else {
      this.flushForward();
      this.offset = headStart + head.headBytes;
      // A denied request with a body is answered at once: the client may never send that body (Expect: 100-continue),
      // so the connection closes rather than guess where the next request starts.
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
    if (this.replies.length === 0 && (this.state === 'closing' || this.upstreamGone || (this.clientEnded && this.offset === this.buffer.length && this.state === 'head'))) {
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
    this.idle.stop();
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
    this.idle.stop();
    this.clearHeaderTimer();
    this.client.destroy();
    this.upstream?.destroy();
  }

  private armHeaderTimer(): void {
    if (this.headerTimer || this.headerLate) return;
    this.headerTimer = setTimeout(() => {
      // Timers run before sockets are polled: the bytes that complete the head may be waiting after a stall, and
      // are read first (when they complete it, the head is no longer incomplete and its timer is cleared).
      this.headerTimer = undefined;
      this.headerLate = setImmediate(() => {
        this.headerLate = undefined;
        if (!this.finished && this.state === 'head') this.refuseMalformed(408, `no complete request head within ${this.context.limits.headerTimeoutMs} ms`);
      });
    }, this.context.limits.headerTimeoutMs);
  }

  private clearHeaderTimer(): void {
    if (this.headerTimer) clearTimeout(this.headerTimer);
    if (this.headerLate) clearImmediate(this.headerLate);
    this.headerTimer = undefined;
    this.headerLate = undefined;
  }

  // --- upstream side ---

  private writeUpstream(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (!this.upstream) {
      this.pendingUpstream.push(bytes);
      if (!this.connecting) this.openUpstream();
      return;
    }
    if (!this.upstream.write(bytes) && !this.upstreamNeedsDrain) {
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
    // A plain upstream reads into one reused buffer (its chunks are written to the client or copied, never kept).
    const onread = this.intercepted ? undefined : reusedReadBuffer((chunk) => this.onUpstreamData(chunk), () => this.client.writableLength > 0);
    (this.intercepted?.upstream() ?? connectUpstream(this.destination, this.context.limits.upstreamConnectTimeoutMs, onread)).then(
      (upstream) => {
        this.connecting = false;
        if (this.finished) {
          upstream.destroy();
          return;
        }
        this.upstream = upstream;
        upstream.once('close', () => (this.context.stats.bytesFromUpstreams += upstream.bytesRead));
        // With onread no 'data' is emitted; flowing mode is still what makes the stream emit its 'end'.
        if (onread) upstream.resume();
        else upstream.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
        upstream.on('end', () => this.onUpstreamEnd());
        upstream.on('error', () => this.onUpstreamFailure(502));
        upstream.on('close', () => this.onUpstreamEnd());
        for (const bytes of this.pendingUpstream.splice(0)) this.writeUpstream(bytes);
        if (this.clientEnded && this.state === 'head' && this.offset === this.buffer.length) upstream.end();
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
    this.idle.touch();
    if (this.finished) return;
    if (this.state === 'tunnel') {
      this.writeClient(chunk);
      return;
    }
    // The chunk goes to the client in as few writes as the proxy's own answers allow (one, unless one goes between).
    let written = 0;
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
        this.writeClientPart(chunk, written, chunk.length);
        this.flushForward();
        const pending = this.buffer.subarray(this.offset);
        this.buffer = EMPTY;
        this.offset = 0;
        this.writeUpstream(pending);
        if (this.clientEnded) this.upstream?.end();
        this.updateClientFlow();
        return;
      }
      if (step.completed) {
        this.replies.shift();
        this.responseStarted = false;
        if (this.state === 'upgrading') this.state = 'head';
        // What comes next is ours (an answer, or the end): the upstream's bytes so far go first.
        if (this.replies[0]?.kind !== 'upstream') written = this.writeClientPart(chunk, written, from);
        this.flushReplies();
        if (this.finished) return;
        this.updateClientFlow();
        this.pump();
      } else if (step.used === 0) {
        break;
      }
    }
    this.writeClientPart(chunk, written, from);
  }

  /** Writes chunk[written, to) to the client (the chunk itself when that is all of it); returns the new `written`. */
  private writeClientPart(chunk: Buffer, written: number, to: number): number {
    if (to <= written) return written;
    this.writeClient(written === 0 && to === chunk.length ? chunk : chunk.subarray(written, to));
    return to;
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
    if (!this.client.write(bytes) && !this.clientNeedsDrain) {
      this.clientNeedsDrain = true;
      this.upstream?.pause();
      this.client.once('drain', () => {
        this.clientNeedsDrain = false;
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
    if (hold === this.clientPaused) return;
    this.clientPaused = hold;
    if (hold) this.client.pause();
    else this.client.resume();
  }
}

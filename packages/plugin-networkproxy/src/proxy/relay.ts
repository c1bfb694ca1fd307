// Bytes both ways once a connection is allowed: each chunk written on as it comes, reading paused while the other
// side's buffer is full (backpressure), each direction's end forwarded on its own (half-closed sockets); an error or
// idleness closes both, a normal close lets the other flush. The upstream's reads go into one reused buffer
// (`onread`, given when connecting), the client's come as 'data' (a server's sockets have no `onread`).
import type { OnReadOpts, Socket } from 'node:net';
import type { IdleEntry, IdleSweep } from './idle-sweep.js';
import { reusedReadBuffer } from './reused-read-buffer.js';

export class Relay {
  /** The upstream's reads: pass to connectUpstream, then `start` with the socket it connected. */
  readonly onread: OnReadOpts;
  private upstream: Socket | undefined;
  private entry: IdleEntry | undefined;
  private draining = false;

  constructor(
    private readonly client: Socket,
    private readonly idle: IdleSweep,
  ) {
    this.onread = reusedReadBuffer((chunk) => this.fromUpstream(chunk), () => client.writableLength > 0);
  }

  start(upstream: Socket): void {
    const { client } = this;
    this.upstream = upstream;
    const destroyBoth = (): void => {
      entry.stop();
      client.destroy();
      upstream.destroy();
    };
    const entry = this.idle.watch(destroyBoth);
    this.entry = entry;
    forward(client, upstream, entry);
    endsWith(upstream, client);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.on('error', destroyBoth);
      // A side gone for good: the other gets what is already written, then its end (Node destroys it when both ended).
      socket.once('close', () => {
        entry.stop();
        other.end();
      });
    }
    client.resume();
    // With onread no 'data' is emitted; flowing mode is still what makes the stream emit its 'end'.
    upstream.resume();
  }

  private fromUpstream(chunk: Buffer): void {
    const { client, upstream } = this;
    this.entry?.touch();
    if (!client.write(chunk) && !this.draining && upstream) {
      this.draining = true;
      upstream.pause();
      client.once('drain', () => {
        this.draining = false;
        upstream.resume();
      });
    }
  }
}

/** One direction: what `from` reads, `to` writes; `from` waits while `to` drains; `from`'s end becomes `to`'s. */
function forward(from: Socket, to: Socket, entry: { touch(): void }): void {
  let draining = false;
  const resume = (): void => {
    draining = false;
    from.resume();
  };
  from.on('data', (chunk: Buffer) => {
    entry.touch();
    if (!to.write(chunk) && !draining) {
      draining = true;
      from.pause();
      to.once('drain', resume);
    }
  });
  endsWith(from, to);
}

/** `from`'s end becomes `to`'s. The client may have ended before the relay began (while it was being judged). */
function endsWith(from: Socket, to: Socket): void {
  if (from.readableEnded) to.end();
  else from.once('end', () => to.end());
}

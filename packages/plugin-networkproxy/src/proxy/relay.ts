// Bytes both ways once a connection is allowed: each chunk written on as it comes, reading paused while the other
// side's buffer is full (backpressure), each direction's end forwarded on its own (half-closed sockets); an error or
// idleness closes both, a normal close lets the other flush.
import type { Socket } from 'node:net';
import type { IdleSweep } from './idle-sweep.js';

export function relay(client: Socket, upstream: Socket, idle: IdleSweep): void {
  const destroyBoth = (): void => {
    entry.stop();
    client.destroy();
    upstream.destroy();
  };
  const entry = idle.watch(destroyBoth);
  forward(client, upstream, entry);
  forward(upstream, client, entry);
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
  // The client may have ended before the relay began (while it was being judged): its 'end' has been emitted already.
  if (from.readableEnded) to.end();
  else from.once('end', () => to.end());
}

// Bytes both ways once a connection is allowed: stream piping (pause/resume on backpressure), each direction's end
// forwarded on its own (half-closed sockets); an error or idleness closes both, a normal close lets the other flush.
import type { Socket } from 'node:net';

export function relay(client: Socket, upstream: Socket, idleTimeoutMs: number): void {
  const destroyBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  for (const [socket, other] of [
    [client, upstream],
    [upstream, client],
  ] as const) {
    socket.on('error', destroyBoth);
    socket.setTimeout(idleTimeoutMs, destroyBoth);
    // A side gone for good: the other gets what is already written, then its end (Node destroys it when both ended).
    socket.once('close', () => other.end());
  }
  client.pipe(upstream);
  upstream.pipe(client);
  client.resume();
}

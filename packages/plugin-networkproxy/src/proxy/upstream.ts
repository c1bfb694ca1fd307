// The connection to the original destination: always the address the client dialled, never a name from its bytes.
import { connect, type OnReadOpts, type Socket } from 'node:net';
import type { Destination } from '../decision/facts.js';

/**
 * Connects with a deadline; the socket is half-open capable so that each side's end is forwarded on its own. With
 * `onread` its bytes go to that callback (reusedReadBuffer), not to 'data' events.
 */
export function connectUpstream(destination: Destination, timeoutMs: number, onread?: OnReadOpts): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: destination.address, port: destination.port, family: destination.family, allowHalfOpen: true, noDelay: true, ...(onread && { onread }) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connecting to the destination took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

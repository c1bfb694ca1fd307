import { createServer, type Server } from 'node:http';
import { type ListenAddress, listenOn } from '../server/listen-address.js';

export const READINESS_PATH = '/health/readiness';

export interface ReadinessServer {
  address: ListenAddress;
  close(): Promise<void>;
}

/**
 * `GET /health/readiness`: 200 once the agent has listed its profiles and pods and applied what concerns its node,
 * 503 before (the body says which); anything else is 404. Bound where configured only.
 */
export async function startReadinessServer(address: ListenAddress, state: () => { ready: boolean; detail: Record<string, unknown> }): Promise<{ server: ReadinessServer } | { problem: string }> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    if (path !== READINESS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const { ready, detail } = state();
    response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify({ ready, ...detail })}\n`);
  });
  const bound = await listenOn(server, address, 'the readiness endpoint');
  if ('problem' in bound) return bound;
  return {
    server: {
      address: bound.address,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    },
  };
}

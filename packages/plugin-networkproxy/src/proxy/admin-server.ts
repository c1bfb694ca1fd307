// The admin endpoint on proxyAdminPort, bound to loopback only (the capture rules close it to the workload too):
// readiness, counters, and a reload that swaps the table for new connections.
import { createServer, type Server } from 'node:http';
import type { ProxyStats } from './proxy-stats.js';

export interface AdminHandlers {
  ready(): boolean;
  stats: ProxyStats;
  /** Reads the configuration again; the problems when it cannot be applied (the old table stays). */
  reload(): Promise<{ ok: true } | { ok: false; problems: string[] }>;
}

export const ADMIN_HOST = '127.0.0.1';

export async function startAdminServer(port: number, handlers: AdminHandlers, host = ADMIN_HOST): Promise<Server> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      response.end(body);
    };
    const path = (request.url ?? '').split('?', 1)[0];
    if (path === '/ready') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n');
      return handlers.ready() ? reply(200, 'ready\n') : reply(503, 'not ready\n');
    }
    if (path === '/stats') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n');
      return reply(200, handlers.stats.prometheus(), 'text/plain; version=0.0.4; charset=utf-8');
    }
    if (path === '/reload') {
      if (request.method !== 'POST') return reply(405, 'method not allowed: POST /reload\n');
      request.resume();
      void handlers.reload().then(
        (result) => (result.ok ? reply(200, 'reloaded\n') : reply(400, `${result.problems.join('\n')}\n`)),
        (error: unknown) => reply(500, `${error instanceof Error ? error.message : String(error)}\n`),
      );
      return;
    }
    reply(404, 'not found: /ready, /stats, POST /reload\n');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

import { createServer } from 'node:http';
import { type ListenAddress, listenOn } from '../server/listen-address.js';

/** What the server serves: the webhook's AdmissionMetrics, the manager's ControllerMetrics. */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

export interface MetricsServer {
  readonly address: ListenAddress;
  close(): Promise<void>;
}

/**
 * Plain HTTP `GET /metrics` (Prometheus text format) on its own address, as vArmor's metrics Service is: scrapers
 * reach it inside the cluster without the webhook's certificate. Started only when an address is given.
 */
export async function startMetricsServer(metrics: MetricsSource, listen: ListenAddress): Promise<{ server: MetricsServer } | { problem: string }> {
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (request, response) => {
    if ((request.url ?? '/').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('the metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('/metrics takes GET\n');
      return;
    }
    metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  const listening = await listenOn(server, listen, 'metrics');
  if ('problem' in listening) return listening;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((done) => server.close(() => done()));
  };
  return { server: { address: listening.address, close } };
}

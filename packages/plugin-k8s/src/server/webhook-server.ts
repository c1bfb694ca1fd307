import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { ADMISSION_API_VERSION, decodeAdmissionReview } from '../admission/decode-review.js';
import { type AdmissionHandler, type AdmissionRequest, type AdmissionResponse, admissionResponseSchema } from '../admission/review.js';
import type { AdmissionMetrics, RefusalReason } from '../metrics/admission-metrics.js';
import { CertificateFiles, secureContextOptions } from './certificate-files.js';
import { formatListenAddress, type ListenAddress, listenOn } from './listen-address.js';
import { DEFAULT_BODY_LIMIT, readRequestBody } from './request-body.js';

/** Webhook paths and their handlers: `{ '/validate': validatingWebhook(engine), '/mutate': ... }`. */
export type AdmissionRoutes = Readonly<Record<string, AdmissionHandler>>;

export interface WebhookServerOptions {
  certFile: string;
  keyFile: string;
  listen: ListenAddress;
  routes: AdmissionRoutes;
  /** Paths whose responses count as mutated / not mutated in the metrics. Default `['/mutate']`. */
  mutatingRoutes?: readonly string[];
  metrics?: AdmissionMetrics;
  /** Largest request body accepted, in bytes (413 above). Default 3 MiB, the API server's own limit. */
  bodyLimit?: number;
  /** A connection must complete its TLS handshake within this (ms). Default 10 s. */
  handshakeTimeout?: number;
  /** A request's headers must arrive within this (ms); slow clients are dropped. Default 10 s. */
  headersTimeout?: number;
  /** A whole request must arrive within this (ms). Default 30 s, the longest webhook timeout the API server allows. */
  requestTimeout?: number;
  /** A handler must answer within this (ms), or the review is refused. Default 9 s, under the API server's default 10 s. */
  handlerTimeout?: number;
  /** An idle keep-alive connection is closed after this (ms). Default 60 s. */
  keepAliveTimeout?: number;
  /** How often the certificate files are checked for a change (ms). Default 10 s. */
  certificateCheckInterval?: number;
  /** Where operational lines go (listening, certificate reloaded, a handler failing). */
  log?: (line: string) => void;
  /** Whether the handlers can answer yet (e.g. the policy informers' first list); `/readyz` is 503 until then. */
  ready?: () => boolean;
}

export interface WebhookServer {
  /** Where it listens (the port chosen when 0 was asked). */
  readonly address: ListenAddress;
  /** Reads the certificate files again now; false (and the old pair kept) when they do not load. */
  reloadCertificate(): boolean;
  /** Stops accepting connections, lets requests in flight finish (up to `grace` ms), then closes the rest. */
  close(grace?: number): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text) + 1), ...headers });
  response.end(`${text}\n`);
}

function sendJson(response: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** A refusal the server makes itself: an error of ours, or a handler too slow. Never lets a request through. */
function serverRefusal(uid: string, code: number, reason: string, message: string): AdmissionResponse {
  return { uid, allowed: false, status: { code, reason, message } };
}

/** Runs a handler with a deadline; a throw, a rejection or a miss of the deadline becomes a refusal. */
async function runHandler(path: string, handler: AdmissionHandler, request: AdmissionRequest, timeout: number, log: (line: string) => void): Promise<AdmissionResponse> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<AdmissionResponse>((resolve) => {
    timer = setTimeout(() => {
      log(`webhook ${path}: review ${request.uid} took over ${timeout} ms; refused`);
      resolve(serverRefusal(request.uid, 504, 'Timeout', `armorkit's ${path} webhook did not finish within ${timeout} ms; refused so that nothing passes unchecked`));
    }, timeout);
  });
  try {
    const response = await Promise.race([Promise.resolve().then(() => handler(request)), deadline]);
    // The response belongs to this request whatever the handler wrote, and must be one the API server reads.
    const checked = admissionResponseSchema.safeParse({ ...response, uid: request.uid });
    if (checked.success) return checked.data;
    const issue = checked.error.issues[0]!;
    log(`webhook ${path}: review ${request.uid}: the handler's answer is not an AdmissionResponse (/${issue.path.join('/')}: ${issue.message})`);
    return serverRefusal(request.uid, 500, 'InternalError', `armorkit's ${path} webhook gave an answer that is not an AdmissionResponse (/${issue.path.join('/')}: ${issue.message}); refused`);
  } catch (error) {
    log(`webhook ${path}: review ${request.uid} failed: ${(error as Error)?.stack ?? String(error)}`);
    const reason = error instanceof Error ? error.message : String(error);
    return serverRefusal(request.uid, 500, 'InternalError', `armorkit's ${path} webhook failed on this object (${reason}); refused so that nothing passes unchecked`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the admission webhook server: HTTPS only (TLS 1.2+), the certificate and key read from files and read again
 * when they change, every path of `routes` taking AdmissionReview POSTs, `/healthz` and `/readyz` on the same port.
 * Resolves to the running server, or to a problem (certificate unreadable, address in use) without throwing.
 */
export async function startWebhookServer(options: WebhookServerOptions): Promise<{ server: WebhookServer } | { problem: string }> {
  const log = options.log ?? (() => {});
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const handlerTimeout = options.handlerTimeout ?? 9_000;
  const mutating = new Set(options.mutatingRoutes ?? ['/mutate']);
  const metrics = options.metrics;
  const files = new CertificateFiles(options.certFile, options.keyFile);
  const first = files.read();
  if ('problem' in first) return { problem: first.problem };

  let closing = false;
  const headersTimeout = options.headersTimeout ?? 10_000;
  const requestTimeout = options.requestTimeout ?? 30_000;
  const server: Server = createServer({
    ...secureContextOptions(first.pair),
    handshakeTimeout: options.handshakeTimeout ?? 10_000,
    headersTimeout,
    requestTimeout: Math.max(requestTimeout, headersTimeout),
    keepAliveTimeout: options.keepAliveTimeout ?? 60_000,
    // Node checks the two timeouts above only this often (default 30 s): slow clients would linger that long.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
  });

  const refuse = (response: ServerResponse, reason: RefusalReason, status: number, text: string, headers: Record<string, string> = {}) => {
    metrics?.refuse(reason);
    sendText(response, status, text, headers);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0]!;
    if (HEALTH_PATHS.has(path)) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 'method', 405, `${path} takes GET`, { allow: 'GET, HEAD' });
      // Not ready once closing, so the Service stops sending reviews to a server that is going away.
      if (path === '/readyz' && closing) return sendText(response, 503, 'shutting down');
      if (path === '/readyz' && options.ready && !options.ready()) return sendText(response, 503, 'not ready: the policies are not listed yet');
      return sendText(response, 200, 'ok');
    }
    const handler = Object.hasOwn(options.routes, path) ? options.routes[path] : undefined;
    if (!handler) return refuse(response, 'not-found', 404, `no webhook at ${path}; the webhooks are ${Object.keys(options.routes).sort().join(', ')}`);
    if (request.method !== 'POST') return refuse(response, 'method', 405, `${path} takes POST (an AdmissionReview)`, { allow: 'POST' });
    if (!isJsonContentType(request.headers['content-type'])) {
      return refuse(response, 'content-type', 415, `${path} takes Content-Type: application/json, not ${JSON.stringify(request.headers['content-type'] ?? '')}`);
    }
    const read = await readRequestBody(request, bodyLimit);
    if ('aborted' in read) return;
    // Closing the connection: what the client is still sending is not read.
    if ('tooLarge' in read) return refuse(response, 'too-large', 413, read.tooLarge, { connection: 'close' });
    const started = process.hrtime.bigint();
    const decoded = decodeAdmissionReview(read.body);
    if ('malformed' in decoded) return refuse(response, 'malformed', 400, decoded.malformed);
    if ('refusal' in decoded) {
      metrics?.refuse('malformed');
      return sendJson(response, { apiVersion: decoded.refusal.apiVersion, kind: 'AdmissionReview', response: decoded.refusal.response });
    }
    const answer = await runHandler(path, handler, decoded.request, handlerTimeout, log);
    if (answer.status?.reason === 'Timeout') metrics?.refuse('timeout');
    metrics?.observe({
      webhook: path,
      operation: decoded.request.operation,
      kind: decoded.request.kind.kind,
      allowed: answer.allowed,
      ...(mutating.has(path) ? { mutated: answer.patch !== undefined } : {}),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    });
    if (response.writableEnded || request.socket.destroyed) return;
    sendJson(response, { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response: answer });
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      // Only a bug of this file gets here; the client gets a 500, the process goes on.
      log(`webhook server: ${(error as Error)?.stack ?? String(error)}`);
      if (!response.headersSent) sendText(response, 500, 'internal error');
      else response.destroy();
    });
  });
  // A client that breaks TLS or HTTP costs its own connection only.
  server.on('tlsClientError', (error, socket) => {
    log(`webhook server: TLS: ${error.message}`);
    socket.destroy();
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const reloadCertificate = (): boolean => {
    const next = files.read();
    if ('problem' in next) {
      log(`webhook server: keeping the current certificate: ${next.problem}`);
      return false;
    }
    server.setSecureContext(secureContextOptions(next.pair));
    log(`webhook server: serving the certificate read again from ${options.certFile}`);
    return true;
  };
  const watcher = setInterval(() => {
    if (files.changed()) reloadCertificate();
  }, options.certificateCheckInterval ?? 10_000);
  watcher.unref();

  const listening = await listenOn(server, options.listen, 'the webhooks');
  if ('problem' in listening) {
    clearInterval(watcher);
    return listening;
  }
  server.on('error', (error) => log(`webhook server: ${error.message}`));
  log(`webhook server: listening on https://${formatListenAddress(listening.address)} (${Object.keys(options.routes).sort().join(', ')}, /healthz, /readyz)`);

  const close = async (grace = 5_000): Promise<void> => {
    closing = true;
    clearInterval(watcher);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), grace);
    await closed;
    clearTimeout(timer);
  };
  return { server: { address: listening.address, reloadCertificate, close } };
}

import { statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionMetrics, type AdmissionHandler, startMetricsServer, startWebhookServer, type WebhookServer } from '../src/index.js';
import { review, send } from './https-client.js';
import { makeTestCertificates, type TestCertificates } from './test-ca.js';

const UID = '2f5b7a1c-9d3e-4f60-8a1b-0c2d3e4f5a6b';

function reviewOf(operation = 'CREATE', kind = 'Pod'): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: { group: '', version: 'v1', kind },
      resource: { group: '', version: 'v1', resource: 'pods' },
      operation,
      userInfo: { username: 'kubernetes-admin' },
      object: { apiVersion: 'v1', kind, metadata: { name: 'web' } },
    },
  };
}

// Allows everything, and says which operation it saw, so a test knows the request reached it.
const echo: AdmissionHandler = async (request) => ({ uid: 'not-the-request-uid', allowed: true, warnings: [`saw ${request.operation}`] });
const throwing: AdmissionHandler = async () => {
  throw new Error('engine exploded');
};
const slow: AdmissionHandler = () => new Promise(() => {});
// What a buggy handler might return: no verdict at all.
const verdictless = (async () => ({ uid: 'x' })) as unknown as AdmissionHandler;
const mutate: AdmissionHandler = async (request) => ({ uid: request.uid, allowed: true, patch: Buffer.from('[]').toString('base64'), patchType: 'JSONPatch' });

/** Resolves when the server closes `socket` (it never does by itself otherwise: the test waits for the server). */
function closedByServer(socket: Socket): Promise<void> {
  // Reading what the server sends (its 400, its FIN) is what lets the socket see the end.
  socket.resume();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

function peerCommonName(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const name = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(Array.isArray(name) ? name.join(',') : (name ?? ''));
    });
    socket.on('error', reject);
  });
}

describe('webhook server', () => {
  let certificates: TestCertificates & { reissue(commonName: string): Promise<void> };
  let server: WebhookServer;
  let port: number;
  const metrics = new AdmissionMetrics();
  const lines: string[] = [];

  beforeAll(async () => {
    certificates = await makeTestCertificates();
    const started = await startWebhookServer({
      certFile: certificates.certFile,
      keyFile: certificates.keyFile,
      listen: { host: '127.0.0.1', port: 0 },
      routes: { '/validate': echo, '/throw': throwing, '/slow': slow, '/mutate': mutate, '/verdictless': verdictless },
      metrics,
      bodyLimit: 3 * 1024 * 1024,
      // Short enough to wait for in a test, long enough for a legitimate client on a busy machine.
      headersTimeout: 2_000,
      handshakeTimeout: 2_000,
      handlerTimeout: 300,
      certificateCheckInterval: 50,
      log: (line) => lines.push(line),
    });
    if ('problem' in started) throw new Error(started.problem);
    server = started.server;
    port = server.address.port;
  });
  afterAll(async () => {
    await server?.close(100);
  });

  it('writes the test key 0600', () => {
    expect(statSync(certificates.keyFile).mode & 0o777).toBe(0o600);
  });

  it('answers a review over TLS verified by the CA, in the API server wire format, with the request uid', async () => {
    const answer = await review(port, certificates.ca, '/validate', reviewOf());
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: UID, allowed: true, warnings: ['saw CREATE'] } });
  });

  it('is refused by a client that does not trust its CA, and refuses TLS 1.1', async () => {
    await expect(review(port, '', '/validate', reviewOf())).rejects.toThrow(/certificate/);
    const error = await new Promise<Error>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: certificates.ca, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () =>
        resolve(new Error('connected')),
      );
      socket.on('error', resolve);
    });
    expect(error.message).not.toBe('connected');
  });

  it('serves /healthz and /readyz on the same port', async () => {
    expect(await send(port, certificates.ca, '/healthz', undefined, { method: 'GET' })).toMatchObject({ status: 200, text: 'ok\n' });
    expect(await send(port, certificates.ca, '/readyz', undefined, { method: 'GET' })).toMatchObject({ status: 200, text: 'ok\n' });
    expect((await send(port, certificates.ca, '/healthz', '{}')).status).toBe(405);
  });

  it('refuses what is not a review POST with a reason', async () => {
    const notFound = await send(port, certificates.ca, '/nowhere', '{}');
    expect(notFound).toMatchObject({ status: 404, text: 'no webhook at /nowhere; the webhooks are /mutate, /slow, /throw, /validate, /verdictless\n' });
    expect(await send(port, certificates.ca, '/validate', undefined, { method: 'GET' })).toMatchObject({ status: 405, text: '/validate takes POST (an AdmissionReview)\n' });
    const wrongType = await send(port, certificates.ca, '/validate', '{}', { headers: { 'content-type': 'text/plain' } });
    expect(wrongType).toMatchObject({ status: 415, text: '/validate takes Content-Type: application/json, not "text/plain"\n' });
    const withCharset = await review(port, certificates.ca, '/validate', reviewOf(), { headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(withCharset.status).toBe(200);
  });

  it('refuses malformed reviews with HTTP 400 naming the problem', async () => {
    const notJson = await send(port, certificates.ca, '/validate', '{"apiVersion": ');
    expect(notJson.status).toBe(400);
    expect(notJson.text).toMatch(/^the request body is not JSON \(/);
    expect(await send(port, certificates.ca, '/validate', '[1]')).toMatchObject({ status: 400, text: 'the request body is not a JSON object (an AdmissionReview)\n' });
    const wrongKind = await send(port, certificates.ca, '/validate', JSON.stringify({ ...reviewOf(), kind: 'ConfigMap' }));
    expect(wrongKind).toMatchObject({ status: 400, text: 'kind is "ConfigMap", not AdmissionReview\n' });
    const noUid = reviewOf() as { request: Record<string, unknown> };
    delete noUid.request.uid;
    expect(await send(port, certificates.ca, '/validate', JSON.stringify(noUid))).toMatchObject({ status: 400, text: 'malformed AdmissionReview at /request/uid: Invalid input: expected string, received undefined\n' });
  });

  it('answers a review it can name but not read with allowed=false, so failurePolicy Ignore cannot let it through', async () => {
    const unknownOperation = await review(port, certificates.ca, '/validate', reviewOf('PATCH'));
    expect(unknownOperation).toMatchObject({ status: 200 });
    expect(unknownOperation.json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: UID,
        allowed: false,
        status: { code: 400, reason: 'BadRequest', message: 'malformed AdmissionReview at /request/operation: Invalid option: expected one of "CREATE"|"UPDATE"|"DELETE"|"CONNECT"' },
      },
    });
    const old = await review(port, certificates.ca, '/validate', { ...reviewOf(), apiVersion: 'admission.k8s.io/v1beta1' });
    expect(old.json).toEqual({
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: {
        uid: UID,
        allowed: false,
        status: { code: 400, reason: 'BadRequest', message: 'AdmissionReview "admission.k8s.io/v1beta1" is not supported; this webhook speaks admission.k8s.io/v1 (admissionReviewVersions: [v1])' },
      },
    });
  });

  it('refuses a 4 MiB body with 413 before reading it, declared or chunked, and goes on serving', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 0x20);
    expect(await send(port, certificates.ca, '/validate', big)).toMatchObject({ status: 413, text: 'the request body is 4194304 bytes, over the limit of 3145728\n' });
    const chunked = await send(port, certificates.ca, '/validate', big, { headers: { 'content-length': '', 'transfer-encoding': 'chunked' } });
    expect(chunked).toMatchObject({ status: 413, text: 'the request body is over the limit of 3145728 bytes\n' });
    expect((await review(port, certificates.ca, '/validate', reviewOf())).status).toBe(200);
  });

  it('drops a client that holds its headers open, and serves others meanwhile', async () => {
    const slowloris = tlsConnect({ host: '127.0.0.1', port, ca: certificates.ca, servername: 'localhost' });
    await new Promise<void>((resolve) => slowloris.once('secureConnect', () => resolve()));
    slowloris.write('POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
    slowloris.on('error', () => {});
    const dropped = closedByServer(slowloris);
    expect((await review(port, certificates.ca, '/validate', reviewOf('UPDATE'))).json).toMatchObject({ response: { allowed: true, warnings: ['saw UPDATE'] } });
    await dropped;
    // One that connects and never starts TLS is dropped too.
    const silent = netConnect({ host: '127.0.0.1', port });
    silent.on('error', () => {});
    await closedByServer(silent);
    expect((await review(port, certificates.ca, '/validate', reviewOf())).status).toBe(200);
  });

  it('refuses when a handler throws, answers no verdict or does not answer in time, and goes on serving', async () => {
    const thrown = await review(port, certificates.ca, '/throw', reviewOf());
    expect(thrown.json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: UID,
        allowed: false,
        status: { code: 500, reason: 'InternalError', message: "armorkit's /throw webhook failed on this object (engine exploded); refused so that nothing passes unchecked" },
      },
    });
    expect(lines.some((line) => line.startsWith(`webhook /throw: review ${UID} failed: Error: engine exploded`))).toBe(true);
    const verdictless = await review(port, certificates.ca, '/verdictless', reviewOf());
    expect(verdictless.json).toMatchObject({
      response: {
        uid: UID,
        allowed: false,
        status: { code: 500, reason: 'InternalError', message: "armorkit's /verdictless webhook gave an answer that is not an AdmissionResponse (/allowed: Invalid input: expected boolean, received undefined); refused" },
      },
    });
    const late = await review(port, certificates.ca, '/slow', reviewOf());
    expect(late.json).toMatchObject({ response: { uid: UID, allowed: false, status: { code: 504, reason: 'Timeout' } } });
    expect((await review(port, certificates.ca, '/validate', reviewOf())).status).toBe(200);
  });

  it('serves a rotated certificate, and keeps the old one while the new files do not load', async () => {
    expect(await peerCommonName(port, certificates.ca)).toBe('armorkit-webhook');
    await certificates.reissue('armorkit-webhook-rotated');
    // The watcher notices the new files on its own; waiting for it is waiting for an event, not timing it.
    while ((await peerCommonName(port, certificates.ca)) !== 'armorkit-webhook-rotated') await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(certificates.keyFile, 'not a key');
    expect(server.reloadCertificate()).toBe(false);
    expect(await peerCommonName(port, certificates.ca)).toBe('armorkit-webhook-rotated');
    expect(lines.some((line) => line.startsWith('webhook server: keeping the current certificate: '))).toBe(true);
    await certificates.reissue('armorkit-webhook');
    expect(server.reloadCertificate()).toBe(true);
  });

  it('exposes Prometheus metrics on their own plain HTTP address', async () => {
    await review(port, certificates.ca, '/mutate', reviewOf());
    const started = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    if ('problem' in started) throw new Error(started.problem);
    const text = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: started.server.address.port, path: '/metrics' }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
        .on('error', reject)
        .end();
    });
    await started.server.close();
    expect(text).toMatch(/^armorkit_admission_requests_total\{webhook="\/validate",operation="CREATE",kind="Pod",allowed="true"\} \d+$/m);
    expect(text).toMatch(/^armorkit_admission_requests_total\{webhook="\/throw",operation="CREATE",kind="Pod",allowed="false"\} 1$/m);
    expect(text).toMatch(/^armorkit_mutated_requests_total\{webhook="\/mutate"\} 1$/m);
    expect(text).toMatch(/^armorkit_webhook_latency_seconds_count\{webhook="\/validate"\} \d+$/m);
    expect(text).toMatch(/^armorkit_admission_refused_requests_total\{reason="too-large"\} [12]$/m);
    expect(text).toMatch(/^armorkit_admission_refused_requests_total\{reason="timeout"\} 1$/m);
    expect(text).toMatch(/^armorkit_admission_refused_requests_total\{reason="malformed"\} \d+$/m);
  });

  it('reports a certificate it cannot read and an address in use as problems', async () => {
    const missing = await startWebhookServer({ certFile: '/nonexistent/tls.crt', keyFile: certificates.keyFile, listen: { host: '127.0.0.1', port: 0 }, routes: {} });
    expect(missing).toEqual({ problem: expect.stringMatching(/^cannot read the serving certificate or key: ENOENT/) });
    const taken = await startWebhookServer({ certFile: certificates.certFile, keyFile: certificates.keyFile, listen: { host: '127.0.0.1', port }, routes: {} });
    expect(taken).toEqual({ problem: expect.stringMatching(/^cannot listen on 127\.0\.0\.1:\d+ for the webhooks: listen EADDRINUSE/) });
  });
});

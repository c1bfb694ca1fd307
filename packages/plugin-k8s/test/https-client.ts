// A real client of the webhook server: HTTPS over loopback, verifying the server's certificate against the test CA
// as the API server does with the caBundle of the webhook configuration.
import { Agent, request } from 'node:https';

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface PostOptions {
  method?: string;
  headers?: Record<string, string>;
  agent?: Agent;
}

export function send(port: number, ca: string, path: string, body: string | Buffer | undefined, options: PostOptions = {}): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'POST',
        ca,
        servername: 'localhost',
        headers: Object.fromEntries(
          Object.entries({ ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...options.headers })
            // An empty value leaves the header out (a chunked body has no Content-Length).
            .filter(([, value]) => value !== ''),
        ),
        ...(options.agent ? { agent: options.agent } : { agent: false }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** POSTs an AdmissionReview (an object or its text) and returns the status and the parsed JSON answer. */
export async function review(port: number, ca: string, path: string, body: unknown, options: PostOptions = {}): Promise<{ status: number; json: unknown; text: string }> {
  const response = await send(port, ca, path, typeof body === 'string' ? body : JSON.stringify(body), options);
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text: response.text };
}

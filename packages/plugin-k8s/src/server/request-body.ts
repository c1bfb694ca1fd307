import type { IncomingMessage } from 'node:http';

/** The API server refuses request bodies over 3 MiB; a review of such an object cannot be bigger by much. */
export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;

export type BodyOutcome = { body: Buffer } | { tooLarge: string } | { aborted: string };

/**
 * The request body, up to `limit` bytes. A declared Content-Length over the limit is refused before a byte is read;
 * a chunked body is refused as soon as it passes the limit, and the rest is not kept.
 */
export function readRequestBody(request: IncomingMessage, limit: number): Promise<BodyOutcome> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.resolve({ tooLarge: `the request body is ${declared} bytes, over the limit of ${limit}` });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish({ tooLarge: `the request body is over the limit of ${limit} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ body: Buffer.concat(chunks, size) });
    const onAborted = () => finish({ aborted: 'the client closed the connection before sending the whole body' });
    const finish = (outcome: BodyOutcome) => {
      request.off('data', onData).off('end', onEnd).off('error', onAborted).off('aborted', onAborted);
      chunks.length = 0;
      resolve(outcome);
    };
    request.on('data', onData).on('end', onEnd).on('error', onAborted).on('aborted', onAborted);
  });
}

import { describe, expect, it } from 'vitest';
import { BodyReader } from '../../src/proxy/body-framing.js';
import { ResponseFraming } from '../../src/proxy/response-framing.js';

/** Feeds `text` to a body reader in pieces of `size` bytes; how many bytes it took, or its error. */
function readBody(text: string, size: number): { used: number; done: boolean } | { error: string } {
  const reader = new BodyReader({ kind: 'chunked' });
  const bytes = Buffer.from(text, 'latin1');
  let used = 0;
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, Math.min(bytes.length, at + size));
    const step = reader.step(piece, 0);
    if ('error' in step) return step;
    used += step.used;
    if (step.done) return { used, done: true };
  }
  return { used, done: false };
}

describe('BodyReader', () => {
  it('finds the end of a chunked body, with extensions and trailers, in any segmentation', () => {
    const body = '5;name=value\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n\r\n';
    for (const size of [1, 2, 3, 7, 64]) expect(readBody(`${body}GET / HTTP/1.1`, size)).toEqual({ used: body.length, done: true });
  });

  it('refuses chunked bodies that a parser could end elsewhere', () => {
    expect(readBody('5\r\nhello!\r\n0\r\n\r\n', 64)).toMatchObject({ error: expect.stringContaining('longer than its size') });
    expect(readBody('5\nhello\r\n0\r\n\r\n', 64)).toMatchObject({ error: expect.any(String) });
    expect(readBody('x\r\n', 64)).toMatchObject({ error: expect.stringContaining('hexadecimal') });
    expect(readBody('-1\r\n', 64)).toMatchObject({ error: expect.any(String) });
    expect(readBody('fffffffffffffff\r\n', 64)).toMatchObject({ error: expect.stringContaining('too many digits') });
    expect(readBody('0\r\n folded: x\r\n\r\n', 64)).toMatchObject({ error: expect.stringContaining('folding') });
  });

  it('counts a Content-Length body', () => {
    const reader = new BodyReader({ kind: 'length', length: 5 });
    expect(reader.step(Buffer.from('hel'), 0)).toEqual({ used: 3, done: false });
    expect(reader.step(Buffer.from('loGET'), 0)).toEqual({ used: 2, done: true });
  });
});

describe('ResponseFraming', () => {
  /** Steps through `text`, returning the offsets where responses completed. */
  function boundaries(framing: ResponseFraming, text: string): Array<number | 'tunnel'> {
    const bytes = Buffer.from(text, 'latin1');
    const found: Array<number | 'tunnel'> = [];
    for (let from = 0; from < bytes.length; ) {
      const step = framing.step(bytes, from);
      if ('error' in step) throw new Error(step.error);
      from += step.used;
      if ('tunnel' in step) {
        found.push('tunnel');
        break;
      }
      if (step.completed) found.push(from);
      if (step.used === 0) break;
    }
    return found;
  }

  it('finds each response of a pipelined exchange: length, chunked, HEAD, 204, 304, 100-continue', () => {
    const framing = new ResponseFraming();
    for (const method of ['GET', 'GET', 'HEAD', 'DELETE', 'GET', 'POST']) framing.expect(method);
    const responses = [
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
      'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    ];
    let end = 0;
    const expected = responses.map((response) => (end += response.length));
    expect(boundaries(framing, responses.join(''))).toEqual(expected);
    expect(framing.outstanding).toBe(0);
  });

  it('switches to a tunnel on 101 and on 2xx to CONNECT, and reads a body without length as ending at close', () => {
    const upgrade = new ResponseFraming();
    upgrade.expect('GET');
    expect(boundaries(upgrade, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nframes')).toEqual(['tunnel']);
    const untilClose = new ResponseFraming();
    untilClose.expect('GET');
    expect(boundaries(untilClose, 'HTTP/1.0 200 OK\r\n\r\nall of it')).toEqual([]);
    expect(untilClose.endsAtClose).toBe(true);
  });

  it('refuses a response whose framing is ambiguous', () => {
    const framing = new ResponseFraming();
    framing.expect('GET');
    expect(() => boundaries(framing, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n')).toThrow(/Content-Length/);
    const garbage = new ResponseFraming();
    garbage.expect('GET');
    expect(() => boundaries(garbage, 'SSH-2.0-OpenSSH\r\n\r\n')).toThrow(/status line/);
  });
});

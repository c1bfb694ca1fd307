import { describe, expect, it } from 'vitest';
import { headerFields, parseRequestHead } from '../../src/proxy/http-request-head.js';

const parse = (text: string, limits?: { maxHeadBytes: number; maxHeaderCount: number }) => parseRequestHead(Buffer.from(text, 'latin1'), 0, limits);
const refusal = (text: string) => {
  const result = parse(text);
  return result.kind === 'error' ? result.status : result.kind;
};

describe('parseRequestHead', () => {
  it('reads a request head with its framing and connection options', () => {
    const text = 'POST /upload?x=1 HTTP/1.1\r\nHost: api.example:8080\r\nContent-Length: 5\r\nX-A:  padded value \t\r\n\r\nhello';
    const result = parse(text);
    expect(result).toEqual({
      kind: 'head',
      head: {
        method: 'POST',
        target: '/upload?x=1',
        minorVersion: 1,
        host: 'api.example:8080',
        framing: { kind: 'length', length: 5 },
        keepAlive: true,
        upgrade: false,
        headBytes: text.length - 5,
        requestLineBytes: 'POST /upload?x=1 HTTP/1.1\r\n'.length,
      },
    });
    expect(headerFields(Buffer.from(text.slice(0, text.length - 5), 'latin1'))).toEqual([
      ['host', 'api.example:8080'],
      ['content-length', '5'],
      ['x-a', 'padded value'],
    ]);
  });

  it('asks for more on every prefix of a valid head', () => {
    const text = 'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';
    for (let cut = 0; cut < text.length; cut++) expect(parse(text.slice(0, cut)).kind).toBe('more');
    expect(parse(text)).toMatchObject({ kind: 'head', head: { framing: { kind: 'chunked' } } });
  });

  it('reads keep-alive per version and Connection', () => {
    expect(parse('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')).toMatchObject({ head: { keepAlive: false } });
    expect(parse('GET / HTTP/1.0\r\n\r\n')).toMatchObject({ head: { keepAlive: false } });
    expect(parse('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n')).toMatchObject({ head: { keepAlive: true } });
    expect(parse('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')).toMatchObject({ head: { upgrade: true } });
    expect(parse('GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n')).toMatchObject({ head: { upgrade: false } });
  });

  it('refuses the framings two parsers could read differently (request smuggling)', () => {
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n')).toBe(501);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n')).toBe(501);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n')).toBe(501);
    expect(refusal('POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nHost: a\r\nX: 1\r\n Transfer-Encoding: chunked\r\n\r\n')).toBe(400);
    expect(parse('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n')).toMatchObject({ head: { framing: { kind: 'chunked' } } });
  });

  it('refuses bare line endings, controls, invalid tokens and a missing or doubled Host', () => {
    expect(refusal('GET / HTTP/1.1\nHost: a\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nHost: a\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nHost: a\r\rX: b\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n')).toBe(400);
    expect(refusal('G@T / HTTP/1.1\r\nHost: a\r\n\r\n')).toBe(400);
    expect(refusal('GET /a b HTTP/1.1\r\nHost: a\r\n\r\n')).toBe(400);
    expect(refusal('GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nHost: a/b\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nHost: user@a\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/2.0\r\nHost: a\r\n\r\n')).toBe(505);
    expect(refusal('GET / HTTX/1.1\r\nHost: a\r\n\r\n')).toBe(400);
    expect(refusal('\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n')).toBe(400);
  });

  it('refuses heads over the size and count limits, without waiting for their end', () => {
    const limits = { maxHeadBytes: 1024, maxHeaderCount: 10 };
    expect(parseRequestHead(Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(2000)}`), 0, limits)).toMatchObject({ kind: 'error', status: 431 });
    const many = Array.from({ length: 11 }, (_, index) => `X-${index}: 1\r\n`).join('');
    expect(parseRequestHead(Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\n${many}\r\n`), 0, limits)).toMatchObject({ kind: 'error', status: 431 });
    expect(parseRequestHead(Buffer.from(`${'A'.repeat(40)}`), 0, limits)).toMatchObject({ kind: 'error', status: 400 });
  });

  it('parses from an offset, for the next request of a pipelined buffer', () => {
    const first = 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n';
    const result = parseRequestHead(Buffer.from(`${first}GET /2 HTTP/1.1\r\nHost: a\r\n\r\n`), first.length);
    expect(result).toMatchObject({ kind: 'head', head: { target: '/2', headBytes: first.length } });
  });
});

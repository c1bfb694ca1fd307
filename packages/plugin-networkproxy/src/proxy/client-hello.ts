// A TLS ClientHello read from the first bytes of a connection, for the SNI and ALPN a passthrough decision needs.
// Bounds-checked at every length; the handshake message may span several records and several TCP segments.

export type ClientHelloResult =
  /** Not enough bytes yet: call again with more. */
  | { kind: 'more' }
  /** The bytes do not start a TLS handshake record. */
  | { kind: 'not-tls' }
  /** A TLS handshake record that is not a well-formed ClientHello. */
  | { kind: 'invalid'; reason: string }
  | { kind: 'hello'; serverName?: string; alpn?: string[] };

const RECORD_HEADER = 5;
const HANDSHAKE = 0x16;
const CLIENT_HELLO = 1;
/** TLSPlaintext.length (RFC 8446 §5.1). */
const MAX_RECORD = 1 << 14;
/** A ClientHello larger than this is refused (post-quantum key shares make real ones about 2 KB). */
export const MAX_CLIENT_HELLO = 1 << 16;
const EXTENSION_SERVER_NAME = 0;
const EXTENSION_ALPN = 16;

/** True when the first bytes can only be a TLS record (content type handshake, major version 3). */
export function looksLikeTls(bytes: Uint8Array): boolean | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes[0] !== HANDSHAKE) return false;
  if (bytes.length < 2) return undefined;
  return bytes[1] === 3;
}

/** Parses the ClientHello at the start of `bytes` (everything the client has sent so far). */
export function parseClientHello(bytes: Uint8Array): ClientHelloResult {
  const tls = looksLikeTls(bytes);
  if (tls === undefined) return { kind: 'more' };
  if (!tls) return { kind: 'not-tls' };
  // Gather the handshake bytes from consecutive handshake records until the whole message is there.
  const fragments: Uint8Array[] = [];
  let gathered = 0;
  let needed = -1;
  for (let at = 0; ; ) {
    if (at + RECORD_HEADER > bytes.length) return { kind: 'more' };
    if (bytes[at] !== HANDSHAKE) return { kind: 'invalid', reason: 'a record other than a handshake came before the ClientHello ended' };
    if (bytes[at + 1] !== 3) return { kind: 'invalid', reason: 'a record with a version other than 3.x' };
    const length = ((bytes[at + 3] ?? 0) << 8) | (bytes[at + 4] ?? 0);
    if (length === 0 || length > MAX_RECORD) return { kind: 'invalid', reason: `a handshake record of ${length} bytes` };
    const end = at + RECORD_HEADER + length;
    const fragment = bytes.subarray(at + RECORD_HEADER, Math.min(end, bytes.length));
    fragments.push(fragment);
    gathered += fragment.length;
    if (needed < 0 && gathered >= 4) {
      const head = concat(fragments, 4);
      if (head[0] !== CLIENT_HELLO) return { kind: 'invalid', reason: `the first handshake message is of type ${head[0]}, not ClientHello` };
      needed = 4 + (((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0));
      if (needed > MAX_CLIENT_HELLO) return { kind: 'invalid', reason: `a ClientHello of ${needed - 4} bytes is larger than ${MAX_CLIENT_HELLO}` };
    }
    if (needed >= 0 && gathered >= needed) {
      const message = concat(fragments, needed);
      return readClientHello(message.subarray(4));
    }
    if (end > bytes.length) return { kind: 'more' };
    at = end;
  }
}

function concat(fragments: Uint8Array[], length: number): Uint8Array {
  if (fragments.length === 1 && (fragments[0]?.length ?? 0) >= length) return (fragments[0] ?? new Uint8Array()).subarray(0, length);
  const out = new Uint8Array(length);
  let used = 0;
  for (const fragment of fragments) {
    if (used >= length) break;
    const take = fragment.subarray(0, length - used);
    out.set(take, used);
    used += take.length;
  }
  return out;
}

/** A cursor that refuses to read past its end: every read says whether the bytes were there. */
class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public at = 0,
    private readonly end = bytes.length,
  ) {}
  get remaining(): number {
    return this.end - this.at;
  }
  u8(): number | undefined {
    return this.at + 1 <= this.end ? this.bytes[this.at++] : undefined;
  }
  u16(): number | undefined {
    if (this.at + 2 > this.end) return undefined;
    const value = ((this.bytes[this.at] ?? 0) << 8) | (this.bytes[this.at + 1] ?? 0);
    this.at += 2;
    return value;
  }
  /** A sub-reader over the next `length` bytes, consumed from this one. */
  take(length: number): Reader | undefined {
    if (this.at + length > this.end) return undefined;
    const sub = new Reader(this.bytes, this.at, this.at + length);
    this.at += length;
    return sub;
  }
  text(length: number): string | undefined {
    if (this.at + length > this.end) return undefined;
    const value = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.at, length).toString('latin1');
    this.at += length;
    return value;
  }
}

function readClientHello(body: Uint8Array): ClientHelloResult {
  const reader = new Reader(body);
  const invalid = (reason: string): ClientHelloResult => ({ kind: 'invalid', reason });
  const version = reader.u16();
  if (version === undefined || version >> 8 !== 3) return invalid('the ClientHello has no 3.x version');
  if (!reader.take(32)) return invalid('the ClientHello is shorter than its random');
  const sessionLength = reader.u8();
  if (sessionLength === undefined || sessionLength > 32 || !reader.take(sessionLength)) return invalid('the session id is cut or longer than 32 bytes');
  const suitesLength = reader.u16();
  if (suitesLength === undefined || suitesLength < 2 || suitesLength % 2 !== 0 || !reader.take(suitesLength)) return invalid('the cipher suites are cut or of odd length');
  const compressionLength = reader.u8();
  if (compressionLength === undefined || compressionLength < 1 || !reader.take(compressionLength)) return invalid('the compression methods are cut or empty');
  if (reader.remaining === 0) return { kind: 'hello' };
  const extensionsLength = reader.u16();
  const extensions = extensionsLength === undefined ? undefined : reader.take(extensionsLength);
  if (!extensions || reader.remaining !== 0) return invalid('the extensions block does not fill the rest of the ClientHello');
  const seen = new Set<number>();
  let serverName: string | undefined;
  let alpn: string[] | undefined;
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const length = extensions.u16();
    const data = length === undefined ? undefined : extensions.take(length);
    if (type === undefined || !data) return invalid('an extension is cut');
    if (seen.has(type)) return invalid(`extension ${type} appears twice`);
    seen.add(type);
    if (type === EXTENSION_SERVER_NAME) {
      const name = readServerName(data);
      if (typeof name !== 'string') return invalid(name.reason);
      serverName = name;
    } else if (type === EXTENSION_ALPN) {
      const protocols = readAlpn(data);
      if (!Array.isArray(protocols)) return invalid(protocols.reason);
      alpn = protocols;
    }
  }
  return { kind: 'hello', ...(serverName !== undefined && { serverName }), ...(alpn && { alpn }) };
}

/** server_name (RFC 6066 §3): one host_name entry; a DNS name, compared case-insensitively, so returned lower-case. */
function readServerName(data: Reader): string | { reason: string } {
  const listLength = data.u16();
  const list = listLength === undefined ? undefined : data.take(listLength);
  if (!list || data.remaining !== 0 || listLength === 0) return { reason: 'the server_name list is cut or empty' };
  let hostName: string | undefined;
  while (list.remaining > 0) {
    const nameType = list.u8();
    const length = list.u16();
    const name = length === undefined ? undefined : list.text(length);
    if (nameType === undefined || name === undefined) return { reason: 'a server_name entry is cut' };
    if (nameType !== 0) continue;
    if (hostName !== undefined) return { reason: 'two host_name entries in server_name' };
    hostName = name;
  }
  if (hostName === undefined) return { reason: 'server_name has no host_name entry' };
  if (!isDnsName(hostName)) return { reason: `the server name ${JSON.stringify(hostName)} is not a DNS name` };
  return hostName.toLowerCase();
}

/** Letters, digits, `-` and `_`, labels of 1..63 bytes, 253 bytes at most, no trailing dot (RFC 6066 forbids it). */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > 63 || !/^[A-Za-z0-9_-]+$/.test(label)) return false;
  }
  return true;
}

/** application_layer_protocol_negotiation (RFC 7301 §3.1): a non-empty list of non-empty names. */
function readAlpn(data: Reader): string[] | { reason: string } {
  const listLength = data.u16();
  const list = listLength === undefined ? undefined : data.take(listLength);
  if (!list || data.remaining !== 0 || listLength === 0) return { reason: 'the ALPN list is cut or empty' };
  const protocols: string[] = [];
  while (list.remaining > 0) {
    const length = list.u8();
    const name = length ? list.text(length) : undefined;
    if (name === undefined) return { reason: 'an ALPN protocol name is cut or empty' };
    protocols.push(name);
  }
  return protocols;
}

// The upstream side of an intercepted connection: TLS to the original destination (never a name from the request),
// verified against the proxy's trust anchors for the name the client asked for (its SNI, else the address).
import { isIP } from 'node:net';
import { connect, type SecureContext, type TLSSocket } from 'node:tls';
import type { Destination } from '../../decision/facts.js';

export interface UpstreamTlsOptions {
  destination: Destination;
  /** The name the certificate must carry: the client's server name, or the destination address without one. */
  verifyName: string;
  alpn: readonly string[];
  trust: SecureContext;
  timeoutMs: number;
}

export class UpstreamTlsError extends Error {
  constructor(
    message: string,
    /** The certificate was presented but is not valid for the name (or not trusted): a refusal, not an outage. */
    readonly unverified: boolean,
  ) {
    super(message);
  }
}

/** Connects and completes the handshake, or rejects with why (an unverified certificate named as such). */
export function connectUpstreamTls(options: UpstreamTlsOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const { destination } = options;
    const socket = connect({
      host: destination.address,
      port: destination.port,
      // SNI for names only (an IP address is not a server name); checkServerIdentity then reads this name.
      ...(isIP(options.verifyName) === 0 ? { servername: options.verifyName } : {}),
      secureContext: options.trust,
      ALPNProtocols: [...options.alpn],
      rejectUnauthorized: true,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamTlsError(`the TLS handshake with the destination took longer than ${options.timeoutMs} ms`, false));
    }, options.timeoutMs);
    socket.setNoDelay(true);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      // OpenSSL's verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...) and Node's ERR_TLS_CERT_ALTNAME_INVALID.
      const code = error.code ?? '';
      const unverified = code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /CERT|SIGNATURE|SELF_SIGNED|ISSUER/.test(code);
      reject(new UpstreamTlsError(`${code ? `${code}: ` : ''}${error.message}`, unverified));
    });
  });
}

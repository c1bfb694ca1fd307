import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/** The serving certificate and key as the TLS server takes them. */
export interface CertificatePair {
  cert: Buffer;
  key: Buffer;
}

/** TLS 1.2 is the oldest version served; the API server speaks 1.2 and 1.3. */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/** Options for `tls.createServer` and `server.setSecureContext` alike, so a reload keeps the TLS floor. */
export function secureContextOptions(pair: CertificatePair): SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: MIN_TLS_VERSION };
}

/** What identifies a file's content without reading it: a rotated Secret volume swaps its symlinks, changing these. */
function fingerprint(path: string): string {
  const stat = statSync(path);
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/**
 * A certificate and key read from files, read again when the files change (cert-manager or the chart rotating the
 * Secret). A pair that does not load (unreadable, not PEM, key not matching the certificate, as while one file is
 * written before the other) is a problem, and whoever holds the previous pair keeps serving it.
 */
export class CertificateFiles {
  private seen = '';

  constructor(
    readonly certFile: string,
    readonly keyFile: string,
  ) {}

  /** The pair, checked by building a TLS context from it. */
  read(): { pair: CertificatePair } | { problem: string } {
    let pair: CertificatePair;
    let seen: string;
    try {
      seen = `${fingerprint(this.certFile)}|${fingerprint(this.keyFile)}`;
      pair = { cert: readFileSync(this.certFile), key: readFileSync(this.keyFile) };
    } catch (error) {
      return { problem: `cannot read the serving certificate or key: ${(error as Error).message}` };
    }
    try {
      createSecureContext(secureContextOptions(pair));
    } catch (error) {
      return { problem: `${this.certFile} and ${this.keyFile} are not a usable certificate and key: ${(error as Error).message}` };
    }
    this.seen = seen;
    return { pair };
  }

  /** True when either file is not what the last successful read saw (a missing file counts as changed). */
  changed(): boolean {
    try {
      return `${fingerprint(this.certFile)}|${fingerprint(this.keyFile)}` !== this.seen;
    } catch {
      return true;
    }
  }
}

// @peculiar/x509 in one place: it builds on tsyringe, which needs the Reflect metadata API loaded first, and it takes
// Node's WebCrypto (its types are the DOM's, hence the parameter type read from the library).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export { x509 };
export const crypto: Parameters<typeof x509.X509CertificateGenerator.create>[1] = webcrypto;

/** ECDSA P-256 keys, signed with SHA-256 (vArmor's MITM PKI). */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A positive serial number of 16 random bytes (RFC 5280: at most 20 octets, unpredictable). */
export function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`;
}

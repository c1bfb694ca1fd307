// A test CA and a serving certificate it signs (for localhost and 127.0.0.1), as the chart makes them for the
// webhook Service: written to a fresh directory, keys 0600.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto, typed as the library's parameter (its types are the DOM's).
const provider: Parameters<typeof x509.X509CertificateGenerator.create>[1] = webcrypto;
x509.cryptoProvider.set(provider);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCertificates {
  directory: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** PEM of the CA certificate, for a client's `ca` option. */
  ca: string;
}

function pemKey(der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function serving(caKeys: webcrypto.CryptoKeyPair, caName: string, commonName: string): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.create({
    subject: `CN=${commonName}`,
    issuer: caName,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  return { cert: certificate.toString('pem'), key: pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

/** A CA and a serving certificate signed by it, in a new temporary directory. */
export async function makeTestCertificates(): Promise<TestCertificates & { reissue(commonName: string): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-webhook-'));
  const caName = 'CN=armorkit test CA';
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: caName,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const files = { caFile: join(directory, 'ca.crt'), certFile: join(directory, 'tls.crt'), keyFile: join(directory, 'tls.key') };
  writeFileSync(files.caFile, ca.toString('pem'));
  const write = async (commonName: string) => {
    const pair = await serving(caKeys, caName, commonName);
    writeFileSync(files.certFile, pair.cert);
    writeFileSync(files.keyFile, pair.key, { mode: 0o600 });
  };
  await write('armorkit-webhook');
  return { directory, ...files, ca: ca.toString('pem'), reissue: write };
}

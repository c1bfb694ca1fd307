// A test CA and a server certificate it signed, made with @peculiar/x509 (ECDSA P-256), written where the upstream
// server (root) and curl (another UID) can read what each needs: the key 0600, the certificates 0644.
import { webcrypto } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto, typed as the library's parameter (its types are the DOM's).
const provider: Parameters<typeof x509.X509CertificateGenerator.create>[1] = webcrypto;
x509.cryptoProvider.set(provider);

export interface TestCa {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A certificate of the same CA for `elsewhere.test` only: a server that is not who the client asked for. */
  otherCertFile: string;
  otherKeyFile: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export async function makeTestCa(dnsNames: string[], ipAddresses: string[]): Promise<TestCa> {
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 5 * 60_000);
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=armorkit netns test CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const leafKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const leafFor = (serialNumber: string, names: string[], ips: string[]) => x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=${names[0] ?? 'server'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.SubjectAlternativeNameExtension([...names.map((value) => ({ type: 'dns' as const, value })), ...ips.map((value) => ({ type: 'ip' as const, value }))]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const leaf = await leafFor('02', dnsNames, ipAddresses);
  const other = await leafFor('03', ['elsewhere.test'], []);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'armorkit-netns-ca-'));
  chmodSync(dir, 0o755);
  const caFile = join(dir, 'ca.crt');
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  const otherCertFile = join(dir, 'other.crt');
  writeFileSync(caFile, ca.toString('pem'), { mode: 0o644 });
  writeFileSync(certFile, leaf.toString('pem'), { mode: 0o644 });
  writeFileSync(keyFile, `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
  // The same key serves both certificates.
  writeFileSync(otherCertFile, other.toString('pem'), { mode: 0o644 });
  return { dir, caFile, certFile, keyFile, otherCertFile, otherKeyFile: keyFile };
}

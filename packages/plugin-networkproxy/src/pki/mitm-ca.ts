// The policy's MITM certificate authority: a self-signed ECDSA P-256 CA (vArmor's shape: 10 years, 5 minutes
// backdated, certificate and CRL signing only), and the checks a CA read from files must pass before it signs.
import { createPrivateKey, createPublicKey, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { fail, ok, type Result } from '@armorkit/core';
import { networkProxyErrors } from '../errors.js';
import { crypto, KEY_ALGORITHM, privateKeyPem, randomSerial, SIGNING_ALGORITHM, x509 } from './x509.js';

/** A CA as files hold it. */
export interface MitmCaPem {
  certificate: string;
  privateKey: string;
}

/** A CA ready to sign leaves. */
export interface MitmCa {
  certificatePem: string;
  certificate: X509Certificate;
  /** The CA's key for @peculiar/x509's signer. */
  signingKey: webcrypto.CryptoKey;
  /** The subject as encoded in the certificate: a leaf's issuer must be exactly this. */
  subjectName: x509.Name;
  /** The CA's subject key identifier, a leaf's authority key identifier. */
  keyIdentifier: string;
  notAfter: Date;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const CA_SUBJECT = 'CN=armorkit MITM CA, O=armorkit';
export const CA_VALIDITY_DAYS = 3650;

/** A fresh CA. The key never leaves the returned PEM: the caller writes it 0600 (writeMitmCaFiles). */
export async function generateMitmCa(options: { now?: Date; validityDays?: number } = {}): Promise<MitmCaPem> {
  const notBefore = new Date((options.now ?? new Date()).getTime() - 5 * MINUTE_MS);
  const notAfter = new Date(notBefore.getTime() + (options.validityDays ?? CA_VALIDITY_DAYS) * DAY_MS);
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: CA_SUBJECT,
      keys,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        // pathLen 0: the CA signs leaves only, never another CA.
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certificate: `${certificate.toString('pem')}\n`, privateKey: await privateKeyPem(keys.privateKey) };
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/**
 * PEM → a CA that can sign: the certificate parses and is a CA allowed to sign certificates, not expired at `now`, its
 * key is ECDSA P-256 (PKCS#8 or SEC1 PEM) and is the certificate's. `where` names the files in messages.
 */
export async function parseMitmCa(pem: MitmCaPem, where: { certificate: string; privateKey: string }, now = new Date()): Promise<Result<MitmCa>> {
  const problem = (message: string) => fail([networkProxyErrors.error('networkproxy-mitm-ca-invalid', '/mitm/ca', message)]);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem.certificate);
  } catch {
    return problem(`${where.certificate} is not a PEM certificate`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem.privateKey);
  } catch {
    return problem(`${where.privateKey} is not a PEM private key`);
  }
  if (!certificate.ca) return problem(`${where.certificate} is not a CA certificate (basicConstraints CA:false)`);
  const parsed = new x509.X509Certificate(certificate.raw);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  if (usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) return problem(`${where.certificate} may not sign certificates (keyUsage without keyCertSign)`);
  if (!isP256(key)) return problem(`${where.privateKey} is not an ECDSA P-256 key`);
  if (!certificate.checkPrivateKey(key)) return problem(`${where.privateKey} is not the key of ${where.certificate}`);
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) return problem(`${where.certificate} expired on ${certificate.validTo}`);
  if (new Date(certificate.validFrom).getTime() > now.getTime()) return problem(`${where.certificate} is not valid before ${certificate.validFrom}`);
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { ...KEY_ALGORITHM }, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, { ...KEY_ALGORITHM }, true, ['verify']);
  const keyIdentifier = parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? (await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto)).keyId;
  return ok({ certificatePem: certificate.toString(), certificate, signingKey, subjectName: parsed.subjectName, keyIdentifier, notAfter });
}

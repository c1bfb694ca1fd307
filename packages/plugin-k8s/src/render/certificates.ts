// @peculiar/x509 builds on tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { createPrivateKey, X509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { PolicyError } from '@armorkit/core';
import { renderErrors } from './errors.js';

/** The webhook's TLS material, PEM: the CA the API server trusts (caBundle) and the serving certificate and key. */
export interface WebhookTls {
  caCertificate: string;
  certificate: string;
  privateKey: string;
}

/** The names the API server dials the webhook Service by; the serving certificate must carry them. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A fresh CA (P-256) and a serving certificate it signs for `dnsNames`, valid from `now` for `validityDays`. */
export async function generateWebhookTls(options: { dnsNames: readonly string[]; validityDays: number; now?: Date }): Promise<WebhookTls> {
  // Node's WebCrypto, which is what @peculiar/x509 takes in Node (its types are the DOM's).
  const crypto: Parameters<typeof x509.X509CertificateGenerator.create>[1] = webcrypto;
  const notBefore = new Date((options.now ?? new Date()).getTime() - 60_000);
  const notAfter = new Date(notBefore.getTime() + options.validityDays * DAY_MS);
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=armorkit-webhook-ca',
      keys: caKeys,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const servingKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const [commonName] = options.dnsNames.slice(-2);
  const serving = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${commonName ?? 'armorkit-webhook'}`,
      issuer: ca.subject,
      publicKey: servingKeys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: 'dns' as const, value }))),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
        await x509.SubjectKeyIdentifierExtension.create(servingKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { caCertificate: ca.toString('pem') + '\n', certificate: serving.toString('pem') + '\n', privateKey: (await privateKeyPem(servingKeys.privateKey)) + '\n' };
}

/**
 * Why existing TLS material cannot serve the webhook, or none: each PEM parses, the CA signed the certificate, the key
 * is the certificate's, the certificate names `dnsName` and has not expired at `now`.
 */
export function webhookTlsProblems(tls: WebhookTls, dnsName: string, now = new Date()): PolicyError[] {
  const problem = (message: string) => [renderErrors.error('k8s-tls-invalid', '', message)];
  let ca: X509Certificate;
  let certificate: X509Certificate;
  try {
    ca = new X509Certificate(tls.caCertificate);
  } catch {
    return problem('ca.crt is not a PEM certificate');
  }
  try {
    certificate = new X509Certificate(tls.certificate);
  } catch {
    return problem('tls.crt is not a PEM certificate');
  }
  let key;
  try {
    key = createPrivateKey(tls.privateKey);
  } catch {
    return problem('tls.key is not a PEM private key');
  }
  if (!ca.ca) return problem('ca.crt is not a CA certificate (basicConstraints CA:false)');
  if (!certificate.verify(ca.publicKey)) return problem('tls.crt is not signed by ca.crt');
  if (!certificate.checkPrivateKey(key)) return problem('tls.key is not the key of tls.crt');
  if (certificate.checkHost(dnsName) === undefined) return problem(`tls.crt does not name ${dnsName}, the webhook Service the API server calls`);
  if (new Date(certificate.validTo).getTime() <= now.getTime()) return problem(`tls.crt expired on ${certificate.validTo}`);
  return [];
}

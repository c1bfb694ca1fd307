import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyError } from '@armorkit/core';
import { generateWebhookTls, webhookTlsProblems, type WebhookTls } from './certificates.js';
import { renderErrors } from './errors.js';
import { writeFileAtomic } from './write-file.js';

export const TLS_FILES = { caCertificate: 'ca.crt', certificate: 'tls.crt', privateKey: 'tls.key' } as const;

/**
 * The webhook's TLS material from `directory` when it holds all three files (so re-rendering for an upgrade keeps
 * the CA the cluster trusts), else new material written there: certificates 0644, the key 0600, each file whole.
 */
export async function loadOrCreateTls(
  directory: string,
  options: { dnsNames: readonly string[]; validityDays: number },
): Promise<{ tls?: WebhookTls; created: boolean; errors: PolicyError[] }> {
  const paths = { caCertificate: join(directory, TLS_FILES.caCertificate), certificate: join(directory, TLS_FILES.certificate), privateKey: join(directory, TLS_FILES.privateKey) };
  const present = Object.values(paths).filter((path) => existsSync(path));
  const located = (error: PolicyError, file: string): PolicyError => ({ ...error, location: { file } });
  if (present.length === 3) {
    const tls: WebhookTls = { caCertificate: readFileSync(paths.caCertificate, 'utf8'), certificate: readFileSync(paths.certificate, 'utf8'), privateKey: readFileSync(paths.privateKey, 'utf8') };
    const problems = webhookTlsProblems(tls, options.dnsNames[2] ?? options.dnsNames[0] ?? '');
    return problems.length > 0 ? { created: false, errors: problems.map((problem) => located(problem, directory)) } : { tls, created: false, errors: [] };
  }
  if (present.length > 0) {
    const missing = Object.values(paths).filter((path) => !present.includes(path));
    const message = `${directory} holds ${present.map((path) => path.slice(directory.length + 1)).join(', ')} but not ${missing.map((path) => path.slice(directory.length + 1)).join(', ')}; keep all three or none`;
    return { created: false, errors: [located(renderErrors.error('k8s-tls-invalid', '', message), directory)] };
  }
  const tls = await generateWebhookTls(options);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  writeFileAtomic(paths.caCertificate, tls.caCertificate, 0o644);
  writeFileAtomic(paths.certificate, tls.certificate, 0o644);
  writeFileAtomic(paths.privateKey, tls.privateKey, 0o600);
  return { tls, created: true, errors: [] };
}

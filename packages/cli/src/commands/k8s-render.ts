import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatPolicyError, type PolicyError } from '@armorkit/core';
import {
  NAMES,
  generateWebhookTls,
  loadOrCreateTls,
  parseValues,
  renderManifests,
  renderValuesSchema,
  serviceDnsNames,
  writeFileAtomic,
  yamlStream,
  type WebhookTls,
} from '@armorkit/plugin-k8s/install';
import { EXIT, UsageError, type CliIO } from '../io.js';

export interface K8sRenderOptions {
  values?: string;
  namespace?: string;
  out?: string;
  tlsDir?: string;
}

function report(errors: readonly PolicyError[], io: CliIO): number {
  for (const error of errors) io.err(formatPolicyError(error));
  return EXIT.invalid;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** `armorkit k8s render`: the manifests that install armorkit (CRDs, webhooks, TLS, manager, agent, RBAC), as one YAML stream. */
export async function k8sRenderCommand(options: K8sRenderOptions, io: CliIO): Promise<number> {
  const valuesFile = options.values === undefined ? undefined : resolve(io.cwd, options.values);
  const parsed = valuesFile === undefined ? parseValues('{}', '<defaults>') : parseValues(readText(valuesFile), valuesFile);
  if (!parsed.values) return report(parsed.errors, io);
  let values = parsed.values;
  if (options.namespace !== undefined) {
    const namespace = renderValuesSchema.shape.namespace.safeParse(options.namespace);
    if (!namespace.success) throw new UsageError(`--namespace ${JSON.stringify(options.namespace)} is not a namespace name: ${namespace.error.issues[0]?.message ?? 'invalid'}`);
    values = { ...values, namespace: namespace.data };
  }
  let tls: WebhookTls | undefined;
  if (values.certificates.source === 'generate') {
    const dnsNames = serviceDnsNames(NAMES.webhookService, values.namespace);
    if (options.tlsDir === undefined) tls = await generateWebhookTls({ dnsNames, validityDays: values.certificates.validityDays });
    else {
      const loaded = await loadOrCreateTls(resolve(io.cwd, options.tlsDir), { dnsNames, validityDays: values.certificates.validityDays });
      if (!loaded.tls) return report(loaded.errors, io);
      tls = loaded.tls;
      io.err(`armorkit: ${loaded.created ? 'wrote a new CA and serving certificate to' : 'reusing the CA and serving certificate in'} ${options.tlsDir}`);
    }
  }
  const text = yamlStream(renderManifests({ values, ...(tls ? { tls } : {}) }));
  if (options.out === undefined) io.out(text);
  // The stream holds the serving key (in the TLS Secret): owner-only, written whole.
  else writeFileAtomic(resolve(io.cwd, options.out), text, 0o600);
  return EXIT.ok;
}

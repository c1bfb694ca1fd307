// What the proxy needs to intercept TLS, loaded once per configuration: the CA's leaves for clients, the trust
// anchors for upstream servers, the header mutations of each mitm domain entry.
import { readFile } from 'node:fs/promises';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { fail, ok, type PolicyError, type Result } from '@armorkit/core';
import type { ResolvedProxyConfig } from '../../config/secrets.js';
import { networkProxyErrors } from '../../errors.js';
import { readMitmCaFiles } from '../../pki/ca-files.js';
import { LeafCertificates, type LeafOptions } from '../../pki/leaf-certificates.js';
import { MITM_CA_FILES } from '../../pod/pod-layout.js';

/** A header a mutation sets (OVERWRITE_IF_EXISTS_OR_ADD: every field of that name is replaced by this one). */
export interface HeaderValue {
  /** Lower case, as HTTP/2 carries it and as the HTTP/1.1 head is rebuilt. */
  name: string;
  value: string;
}

export interface MitmRuntime {
  leaves: LeafCertificates;
  /** Trust for upstream servers: the system's CAs and the configuration's extra ones. */
  upstreamTrust: SecureContext;
  /** The headers set on requests of connections intercepted for a mitm domain entry (none: an empty list). */
  headersFor(entry: string): readonly HeaderValue[];
}

/** The OS bundle (Debian and most images): besides Node's own copy of Mozilla's roots, what the system trusts. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

async function pemCertificates(file: string, pointer: string, errors: PolicyError[], required: boolean): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (required) errors.push(networkProxyErrors.error('networkproxy-mitm-trust-unreadable', pointer, `cannot read ${file} (${error instanceof Error && 'code' in error ? String(error.code) : String(error)})`));
    return [];
  }
  const found = text.match(PEM_CERTIFICATE) ?? [];
  if (found.length === 0 && required) errors.push(networkProxyErrors.error('networkproxy-mitm-trust-unreadable', pointer, `${file} holds no PEM certificate`));
  return found;
}

export interface MitmRuntimeOptions {
  leaves?: Partial<LeafOptions>;
  /** The OS bundle to add to Node's roots (default SYSTEM_CA_BUNDLE; skipped when absent). */
  systemBundle?: string;
}

/** The configuration's `mitm` → the runtime, or why it cannot intercept (CA unreadable or invalid, trust unreadable). */
export async function loadMitmRuntime(mitm: NonNullable<ResolvedProxyConfig['mitm']>, options: MitmRuntimeOptions = {}): Promise<Result<MitmRuntime>> {
  const ca = await readMitmCaFiles(mitm.ca ?? MITM_CA_FILES);
  const errors: PolicyError[] = ca.ok ? [] : [...ca.errors];
  const system = await pemCertificates(options.systemBundle ?? SYSTEM_CA_BUNDLE, '', errors, false);
  const extra = await Promise.all((mitm.upstreamCaFiles ?? []).map((file, index) => pemCertificates(file, `/mitm/upstreamCaFiles/${index}`, errors, true)));
  if (!ca.ok || errors.length > 0) return fail(errors);
  let upstreamTrust: SecureContext;
  try {
    upstreamTrust = createSecureContext({ ca: [...rootCertificates, ...system, ...extra.flat()], minVersion: 'TLSv1.2' });
  } catch (error) {
    return fail([networkProxyErrors.error('networkproxy-mitm-trust-unreadable', '/mitm/upstreamCaFiles', `a trusted CA cannot be used: ${error instanceof Error ? error.message : String(error)}`)]);
  }
  const headers = new Map<string, HeaderValue[]>();
  for (const mutation of mitm.headerMutations) {
    const list = headers.get(mutation.domain) ?? [];
    for (const header of mutation.headers) {
      const name = header.name.toLowerCase();
      // A later setting of the same name wins, as Envoy's OVERWRITE_IF_EXISTS_OR_ADD applied in order would.
      const at = list.findIndex((existing) => existing.name === name);
      if (at >= 0) list.splice(at, 1);
      list.push({ name, value: header.value });
    }
    headers.set(mutation.domain, list);
  }
  return ok({
    leaves: new LeafCertificates(ca.value, options.leaves),
    upstreamTrust,
    headersFor: (entry) => headers.get(entry) ?? [],
  });
}

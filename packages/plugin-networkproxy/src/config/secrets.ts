import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PolicyError, type Result, fail, ok } from '@armorkit/core';
import { networkProxyErrors } from '../errors.js';
import type { HeaderSetting, MitmSettings, ProxyConfig, SecretRef } from './proxy-config.js';
import { headerValueProblem } from './values.js';

/** Where the values of `secretRef` headers come from: the value, or why there is none. */
export type SecretSource = (ref: SecretRef) => { value: string } | { problem: string };

/** A configuration whose header mutations all carry their values: what the proxy runs with. */
export type ResolvedProxyConfig = Omit<ProxyConfig, 'mitm'> & {
  mitm?: Omit<MitmSettings, 'headerMutations'> & { headerMutations: { domain: string; headers: Extract<HeaderSetting, { value: string }>[] }[] };
};

/**
 * Secrets as files, laid out as Kubernetes mounts a Secret volume: `<directory>/<secret name>/<key>`. One final
 * newline is dropped (files written with `echo` have one; a header value cannot). The ref's name and key are checked
 * by the schema (no `/`, never `.` or `..`), so the path stays inside the directory.
 */
export function secretsFromDirectory(directory: string): SecretSource {
  return (ref) => {
    const path = join(directory, ref.name, ref.key);
    try {
      return { value: readFileSync(path, 'utf8').replace(/\r?\n$/, '') };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return { problem: `secret ${ref.name}/${ref.key}: cannot read ${path} (${reason})` };
    }
  };
}

/** The environment variable a secret is read from: `ARMORKIT_SECRET_<NAME>_<KEY>`, upper case, other characters `_`. */
export function secretVariable(ref: SecretRef): string {
  const part = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `ARMORKIT_SECRET_${part(ref.name)}_${part(ref.key)}`;
}

/** Secrets from environment variables (secretVariable names them). */
export function secretsFromEnvironment(environment: Readonly<Record<string, string | undefined>> = process.env): SecretSource {
  return (ref) => {
    const name = secretVariable(ref);
    const value = environment[name];
    return value === undefined ? { problem: `secret ${ref.name}/${ref.key}: the environment variable ${name} is not set` } : { value };
  };
}

/** The first source that has the secret; the problems of all when none has. */
export function firstSecretSource(...sources: readonly SecretSource[]): SecretSource {
  return (ref) => {
    const problems: string[] = [];
    for (const source of sources) {
      const found = source(ref);
      if ('value' in found) return found;
      problems.push(found.problem);
    }
    return { problem: problems.join('; ') || `secret ${ref.name}/${ref.key}: no secret source was given` };
  };
}

/** Every `secretRef` header of `config` replaced by its value from `source`, each value checked as a header value. */
export function resolveHeaderSecrets(config: ProxyConfig, source: SecretSource): Result<ResolvedProxyConfig> {
  const { mitm, ...rest } = config;
  if (!mitm) return ok(rest);
  const errors: PolicyError[] = [];
  const headerMutations = mitm.headerMutations.map((mutation, m) => ({
    domain: mutation.domain,
    headers: mutation.headers.map((header, h) => {
      if ('value' in header) return header;
      const pointer = `/mitm/headerMutations/${m}/headers/${h}/secretRef`;
      const found = source(header.secretRef);
      if ('problem' in found) {
        errors.push(networkProxyErrors.error('networkproxy-secret-unresolved', pointer, found.problem));
        return { name: header.name, value: '' };
      }
      const problem = headerValueProblem(found.value);
      // The value is a secret: the message names where it came from, never what it is.
      if (problem) errors.push(networkProxyErrors.error('networkproxy-invalid-header', pointer, `header ${JSON.stringify(header.name)} from secret ${header.secretRef.name}/${header.secretRef.key}: ${problem}`));
      return { name: header.name, value: found.value };
    }),
  }));
  return errors.length > 0 ? fail(errors) : ok({ ...rest, mitm: { ...mitm, headerMutations } });
}

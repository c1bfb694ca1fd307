// TLS interception for one run: the run's MITM CA (made for the run, or the user's) in `<runs>/<id>/proxy/`, owned
// by the proxy's UID (key 0600, directory 0700, so only the proxy and root read it), and the bundle the command
// trusts in `<runs>/<id>/ca-certificates.crt`, 0644: the system's CAs (else Node's copy of Mozilla's), those of the
// bundles the command's variables named, then the run's CA; the variables are set to it, so no trust is lost.
// The run's directory goes with its record (removeRunRecord), also when the next run reaps an abandoned one.
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { fail, ok, type Result } from '@armorkit/core';
import { CA_BUNDLE_VARIABLES } from '../pod/pod-layout.js';
import { readMitmCaFiles, writeMitmCaFiles, type MitmCaFiles } from '../pki/ca-files.js';
import { generateMitmCa, type MitmCaPem } from '../pki/mitm-ca.js';
import { SYSTEM_CA_BUNDLE } from '../proxy/mitm/mitm-runtime.js';
import { RUNS_DIRECTORY } from './run-record.js';

export interface RunTrust {
  /** Where the proxy reads the CA (the configuration's `mitm.ca`). */
  ca: MitmCaFiles;
  /** The bundle the command's TLS clients are pointed at. */
  bundleFile: string;
  /** The variables set for the command: CA_BUNDLE_VARIABLES, all pointing at bundleFile. */
  environment: Record<string, string>;
  /** Whether the CA was made for this run (else: the user's `mitmCa`). */
  generated: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificatesIn(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
  } catch {
    return [];
  }
}

/** The system's CAs (Node's roots without an OS bundle), then those of the files the variables name, each once. */
function trustedBefore(environment: Readonly<Record<string, string | undefined>>): string[] {
  const system = certificatesIn(SYSTEM_CA_BUNDLE);
  const named = CA_BUNDLE_VARIABLES.flatMap((name) => environment[name] ?? []).filter((file, index, files) => files.indexOf(file) === index);
  return [...new Set([...(system.length > 0 ? system : rootCertificates), ...named.flatMap(certificatesIn)])];
}

/**
 * Writes the run's CA and bundle for run `id`; `own` is a CA of the user's (files read and checked first), else a
 * fresh one is made. `environment` is the command's: the bundles its variables name stay trusted.
 */
export async function prepareRunTrust(
  id: string,
  proxyUID: number,
  own: MitmCaFiles | undefined,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Result<RunTrust>> {
  let pem: MitmCaPem;
  if (own) {
    const read = await readMitmCaFiles(own);
    if (!read.ok) return fail(read.errors);
    pem = { certificate: read.value.certificatePem, privateKey: readFileSync(own.keyFile, 'utf8') };
  } else {
    pem = await generateMitmCa();
  }
  // Traversable by the proxy's UID and the command (never listable): the records in it stay 0600.
  const directory = join(RUNS_DIRECTORY, id);
  mkdirSync(directory, { recursive: true, mode: 0o711 });
  chmodSync(RUNS_DIRECTORY, 0o711);
  chmodSync(directory, 0o711);
  const proxyDirectory = join(directory, 'proxy');
  const written = await writeMitmCaFiles(proxyDirectory, pem);
  if (!written.ok) return written;
  for (const path of [proxyDirectory, written.value.keyFile, written.value.certificateFile]) chownSync(path, proxyUID, proxyUID);
  const bundleFile = join(directory, 'ca-certificates.crt');
  writeFileSync(bundleFile, `${[...trustedBefore(environment), pem.certificate.trim()].join('\n')}\n`, { mode: 0o644 });
  const variables = Object.fromEntries(CA_BUNDLE_VARIABLES.map((name) => [name, bundleFile]));
  return ok({ ca: written.value, bundleFile, environment: variables, generated: own === undefined });
}

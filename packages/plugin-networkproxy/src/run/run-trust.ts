// TLS interception for one run: the run's MITM CA (made for the run, or the user's) in `<runs>/<id>/proxy/`, owned
// by the proxy's UID (key 0600, directory 0700, so only the proxy and root read it), and the bundle the command
// trusts (the system's CAs, else Node's copy of Mozilla's, then the CA) in `<runs>/<id>/ca-certificates.crt`, 0644.
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
  /** The variables set for the command (those it does not define already). */
  environment: Record<string, string>;
  /** Whether the CA was made for this run (else: the user's `mitmCa`). */
  generated: boolean;
}

function systemRoots(): string[] {
  try {
    const text = readFileSync(SYSTEM_CA_BUNDLE, 'utf8');
    if (text.includes('-----BEGIN CERTIFICATE-----')) return [text.trim()];
  } catch {
    // No OS bundle: Node's roots stand in.
  }
  return [...rootCertificates];
}

/**
 * Writes the run's CA and bundle for run `id`; `own` is a CA of the user's (files read and checked first), else a
 * fresh one is made. `environment` is the command's (its own variables are kept).
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
  writeFileSync(bundleFile, `${[...systemRoots(), pem.certificate.trim()].join('\n')}\n`, { mode: 0o644 });
  const variables = Object.fromEntries(CA_BUNDLE_VARIABLES.filter((name) => environment[name] === undefined).map((name) => [name, bundleFile]));
  return ok({ ca: written.value, bundleFile, environment: variables, generated: own === undefined });
}

import { resolve } from 'node:path';
import { formatPolicyError } from '@armorkit/core';
import { generateMitmCa, writeMitmCaFiles } from '@armorkit/plugin-networkproxy/pki';
import { EXIT, UsageError, type CliIO } from '../io.js';

/**
 * `armorkit mitm-ca --out DIR`: a CA for the proxy's TLS interception, for a local proxy (the Kubernetes controller
 * keeps one per policy in its Secret). The proxy's configuration names it in `mitm.ca`; clients trust `ca.crt`.
 */
export async function mitmCaCommand(options: { out?: string; overwrite?: boolean }, io: CliIO): Promise<number> {
  if (!options.out) throw new UsageError('--out DIR is required (where ca.crt and ca.key go)');
  const directory = resolve(io.cwd, options.out);
  const written = await writeMitmCaFiles(directory, await generateMitmCa(), { overwrite: options.overwrite === true });
  if (!written.ok) {
    for (const error of written.errors) io.err(formatPolicyError(error));
    return EXIT.invalid;
  }
  io.out(JSON.stringify({ certificateFile: written.value.certificateFile, keyFile: written.value.keyFile }));
  io.err(`armorkit mitm-ca: wrote ${written.value.certificateFile} (trust it in the clients) and ${written.value.keyFile} (0600; the proxy's mitm.ca)`);
  return EXIT.ok;
}

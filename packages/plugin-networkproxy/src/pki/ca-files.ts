// The CA on disk: written atomically (a temporary file renamed into place, the key 0600 from its first byte), read
// back with the checks of parseMitmCa.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '@armorkit/core';
import { networkProxyErrors } from '../errors.js';
import { parseMitmCa, type MitmCa, type MitmCaPem } from './mitm-ca.js';

/** The file names in a CA directory (those the pod's TLS volume gives the proxy, src/pod/pod-layout.ts). */
export const CA_CERTIFICATE_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';

export interface MitmCaFiles {
  certificateFile: string;
  keyFile: string;
}

const reasonOf = (error: unknown): string => (error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error));

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes `ca.crt` (0644: clients need it as a trust anchor) and `ca.key` (0600) into `directory` (made 0700 when
 * missing). An existing CA is kept unless `overwrite`: replacing it would break every client that trusts it.
 */
export async function writeMitmCaFiles(directory: string, ca: MitmCaPem, options: { overwrite?: boolean } = {}): Promise<Result<MitmCaFiles>> {
  const files = { certificateFile: join(directory, CA_CERTIFICATE_FILE), keyFile: join(directory, CA_KEY_FILE) };
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    if (!options.overwrite) {
      const existing = await Promise.all([files.certificateFile, files.keyFile].map((file) => readFile(file).then(() => file, () => undefined)));
      const found = existing.filter((file) => file !== undefined);
      if (found.length > 0) return fail([networkProxyErrors.error('networkproxy-mitm-ca-exists', '', `${found.join(' and ')} already exist${found.length === 1 ? 's' : ''}: the CA is kept (clients trust it); remove it first to make a new one`)]);
    }
    // The key first: a certificate without its key would be a CA nobody can use.
    await writeAtomically(files.keyFile, ca.privateKey, 0o600);
    await writeAtomically(files.certificateFile, ca.certificate, 0o644);
  } catch (error) {
    return fail([networkProxyErrors.error('networkproxy-mitm-ca-unreadable', '', `cannot write the CA into ${directory}: ${reasonOf(error)}`)]);
  }
  return ok(files);
}

/** Reads and checks a CA (parseMitmCa); the message names the file that could not be read. */
export async function readMitmCaFiles(files: MitmCaFiles, now = new Date()): Promise<Result<MitmCa>> {
  const read = async (file: string): Promise<{ text: string } | { problem: string }> => {
    try {
      return { text: await readFile(file, 'utf8') };
    } catch (error) {
      return { problem: `cannot read ${file} (${reasonOf(error)})` };
    }
  };
  const [certificate, privateKey] = await Promise.all([read(files.certificateFile), read(files.keyFile)]);
  const problems = [certificate, privateKey].flatMap((file) => ('problem' in file ? [file.problem] : []));
  if (!('text' in certificate) || !('text' in privateKey)) {
    return fail(problems.map((problem) => networkProxyErrors.error('networkproxy-mitm-ca-unreadable', '/mitm/ca', problem)));
  }
  return parseMitmCa({ certificate: certificate.text, privateKey: privateKey.text }, { certificate: files.certificateFile, privateKey: files.keyFile }, now);
}

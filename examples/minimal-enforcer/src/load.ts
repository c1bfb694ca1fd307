import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Artifact, type LoadResult, type LoadTarget, type Result, fail, ok } from '@armorkit/core';
import { egressListErrors } from './errors.js';

/**
 * Report-only load: writes the allow-list as `<directory>/<profileName>.egress.json` for a proxy to read. Written to
 * a temporary file and renamed over the old one, so a reader sees the old list or the new one, never half of one.
 */
export async function loadEgressList(artifact: Artifact<'NetworkProxy'>, target: LoadTarget): Promise<Result<LoadResult>> {
  if (!target.directory) return fail([egressListErrors.error('egress-list-directory-missing', '', 'the egress allow-list is written to a directory: give the load target one')]);
  const file = join(target.directory, `${artifact.profileName}.egress.json`);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(target.directory, { recursive: true });
    await writeFile(temporary, artifact.files[0]?.content ?? '');
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    return fail([egressListErrors.error('egress-list-write-failed', '', `cannot write ${file}: ${reason}`)]);
  }
  return ok({ enforcer: 'NetworkProxy', profileName: artifact.profileName, summary: `wrote ${file}` });
}

import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Artifact, type LoadedProfile, type LoadResult, type Result, fail, ok } from '@armorkit/core';
import { seccompErrors } from '../errors.js';
import { formatSeccompProfile } from '../profile/compile-plan.js';

/** Where kubelet looks for `localhost/<name>` seccomp profiles. */
export const KUBELET_SECCOMP_DIRECTORY = '/var/lib/kubelet/seccomp';

const PROFILE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A profile name is one path component: it must not climb out of the directory. */
function profilePath(directory: string, profileName: string): Result<string> {
  if (!PROFILE_NAME.test(profileName)) {
    return fail([seccompErrors.error('seccomp-profile-name', '', `invalid seccomp profile name "${profileName}": expected a lower-case DNS-style name`)]);
  }
  return ok(join(directory, profileName));
}

const writeFailed = (target: string, error: unknown) =>
  fail([seccompErrors.error('seccomp-write-failed', '', `${target}: ${error instanceof Error ? error.message : String(error)}`)]);

/**
 * Writes the profile where kubelet reads it (`<directory>/<profileName>`, as vArmor does), atomically: a temporary file
 * in the same directory, fsync'd, renamed over the old one. A reader sees the old profile or the new one, never half.
 */
export async function writeKubeletProfile(artifact: Artifact<'Seccomp'>, directory = KUBELET_SECCOMP_DIRECTORY): Promise<Result<LoadResult>> {
  const target = profilePath(directory, artifact.profileName);
  if (!target.ok) return target;
  const temporary = join(directory, `.${artifact.profileName}.${process.pid}.tmp`);
  try {
    await mkdir(directory, { recursive: true });
    const file = await open(temporary, 'w', 0o644);
    try {
      await file.writeFile(formatSeccompProfile(artifact.data));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target.value);
  } catch (error) {
    await rm(temporary, { force: true });
    return writeFailed(target.value, error);
  }
  return ok({
    enforcer: 'Seccomp',
    profileName: artifact.profileName,
    summary: `wrote ${target.value}; pods using localhost/${artifact.profileName} get it when they (re)start`,
  });
}

/** Removes the profile file; removing one that is not there is not an error. */
export async function removeKubeletProfile(profileName: string, directory = KUBELET_SECCOMP_DIRECTORY): Promise<Result<LoadResult>> {
  const target = profilePath(directory, profileName);
  if (!target.ok) return target;
  const existed = await stat(target.value).then(
    () => true,
    () => false,
  );
  try {
    await rm(target.value, { force: true });
  } catch (error) {
    return writeFailed(target.value, error);
  }
  return ok({ enforcer: 'Seccomp', profileName, summary: existed ? `removed ${target.value}` : `${target.value} was not there` });
}

/** The profiles in the directory: regular files with a profile's name (not our temporary files); none when it is missing. */
export async function listKubeletProfiles(directory = KUBELET_SECCOMP_DIRECTORY): Promise<Result<LoadedProfile[]>> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return ok(entries.filter((entry) => entry.isFile() && PROFILE_NAME.test(entry.name)).map((entry) => ({ profileName: entry.name })).sort((a, b) => (a.profileName < b.profileName ? -1 : 1)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
    return writeFailed(directory, error);
  }
}

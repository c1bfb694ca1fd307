import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact, LinuxSeccomp, LoadResult } from '@armorkit/core';
import { formatSeccompProfile } from '../profile/compile-plan.js';

/** Where kubelet looks for `localhost/<name>` seccomp profiles. */
export const KUBELET_SECCOMP_DIRECTORY = '/var/lib/kubelet/seccomp';

/** A profile name is one path component: it must not climb out of the directory. */
function profilePath(directory: string, profileName: string): string {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(profileName)) {
    throw new Error(`invalid seccomp profile name "${profileName}": expected a lower-case DNS-style name`);
  }
  return join(directory, profileName);
}

/**
 * Writes the profile where kubelet reads it (`<directory>/<profileName>`, as vArmor does), atomically: a temporary file
 * in the same directory, fsync'd, renamed over the old one. A reader sees the old profile or the new one, never half.
 */
export async function writeKubeletProfile(artifact: Artifact<LinuxSeccomp>, directory = KUBELET_SECCOMP_DIRECTORY): Promise<LoadResult> {
  await mkdir(directory, { recursive: true });
  const target = profilePath(directory, artifact.profileName);
  const temporary = join(directory, `.${artifact.profileName}.${process.pid}.tmp`);
  const file = await open(temporary, 'w', 0o644);
  try {
    await file.writeFile(formatSeccompProfile(artifact.data));
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { enforcer: 'Seccomp', profileName: artifact.profileName, summary: `wrote ${target}; pods using localhost/${artifact.profileName} get it when they (re)start` };
}

/** Removes the profile file; removing one that is not there is not an error. */
export async function removeKubeletProfile(profileName: string, directory = KUBELET_SECCOMP_DIRECTORY): Promise<LoadResult> {
  const target = profilePath(directory, profileName);
  const existed = await stat(target).then(
    () => true,
    () => false,
  );
  await rm(target, { force: true });
  return { enforcer: 'Seccomp', profileName, summary: existed ? `removed ${target}` : `${target} was not there` };
}

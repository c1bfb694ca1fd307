import { type LoadedProfile, type LoadResult, type PolicyError, policyError } from '@armorkit/core';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppArmorArtifact } from '../compile/compile-profile.js';
import { diskDevicesFromPartitions, expandDiskDevices } from '../disk-devices.js';
import { runParser } from '../verify/apparmor-parser.js';
import { checkBackstop } from '../verify/backstop.js';
import { expectedProfiles } from '../verify/declared-profiles.js';
import { appArmorEnabled, listLoadedProfiles } from './loaded-profiles.js';
import type { AppArmorSystemPaths } from './system-paths.js';

export interface LoaderOptions {
  parser: string;
  paths: AppArmorSystemPaths;
}

export interface LoadOutcome {
  result?: LoadResult;
  errors: PolicyError[];
}

/** A profile name is used as a file name: no path separators, nothing hidden. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file in the same directory and renames it, so readers never see half a profile. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.armorkit-${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o644 });
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function preflight(profileName: string, options: LoaderOptions): Promise<PolicyError[]> {
  if (!SAFE_NAME.test(profileName)) {
    return [policyError('apparmor-profile-name', '', `profile name "${profileName}" cannot be used as a file name`)];
  }
  if (!(await appArmorEnabled(options.paths.enabled))) {
    return [policyError('apparmor-not-enabled', '', `AppArmor is not enabled on this host (${options.paths.enabled} is not "Y")`)];
  }
  return [];
}

/**
 * Writes /etc/apparmor.d/<name> and loads it with `apparmor_parser -r` (add or replace; `-C` for complain mode).
 * When the parser refuses it, the kernel keeps the previous profile and the previous file is put back.
 */
export async function loadProfile(artifact: AppArmorArtifact, options: LoaderOptions): Promise<LoadOutcome> {
  const errors = await preflight(artifact.profileName, options);
  if (errors.length > 0) return { errors };
  const partitions = (await readIfExists(options.paths.partitions)) ?? '';
  const text = expandDiskDevices(artifact.data, diskDevicesFromPartitions(partitions));
  // `-r` replaces every profile the file declares: refuse a text that declares anything compile did not, or holds a
  // transition it did not write.
  const declared = await checkBackstop(options.parser, text, expectedProfiles(artifact.profileName, artifact.data));
  if (declared.length > 0) return { errors: declared };
  await mkdir(options.paths.profileDirectory, { recursive: true });
  const path = join(options.paths.profileDirectory, artifact.profileName);
  const previous = await readIfExists(path);
  await writeAtomically(path, text);
  const complain = artifact.profileMode === 'complain';
  const args = ['-r', '-K', ...(complain ? ['-C'] : []), path];
  const run = await runParser(options.parser, args);
  if (run.code !== 0) {
    if (previous === undefined) await rm(path, { force: true });
    else await writeAtomically(path, previous);
    const message = run.stderr.trim().split('\n').filter((l) => !l.startsWith('Cache read/write disabled')).join('; ');
    return {
      errors: [
        policyError('apparmor-load-failed', '', `apparmor_parser ${args.slice(0, -1).join(' ')} ${artifact.profileName} failed (the previous profile stays in force): ${message || `status ${run.code}`}`),
      ],
    };
  }
  return {
    errors: [],
    result: {
      enforcer: 'AppArmor',
      profileName: artifact.profileName,
      summary: `loaded ${artifact.profileName} (${artifact.profileMode}) from ${path} with apparmor_parser ${args.slice(0, -1).join(' ')}`,
    },
  };
}

/** Removes a profile from the kernel (`apparmor_parser -R`) and deletes its file. */
export async function unloadProfile(profileName: string, options: LoaderOptions): Promise<LoadOutcome> {
  const errors = await preflight(profileName, options);
  if (errors.length > 0) return { errors };
  const path = join(options.paths.profileDirectory, profileName);
  // -R only needs the profile's name; without our file, a stub naming it is enough.
  const existing = await readIfExists(path);
  const file = existing === undefined ? `${path}.armorkit-remove` : path;
  if (existing === undefined) await writeFile(file, `profile ${profileName} {\n}\n`);
  const run = await runParser(options.parser, ['-R', '-K', file]);
  if (existing === undefined) await rm(file, { force: true });
  if (run.code !== 0) {
    return { errors: [policyError('apparmor-unload-failed', '', `apparmor_parser -R ${profileName} failed: ${run.stderr.trim()}`)] };
  }
  await rm(path, { force: true });
  return { errors: [], result: { enforcer: 'AppArmor', profileName, summary: `unloaded ${profileName} and removed ${path}` } };
}

/** The profiles the kernel holds (children, `parent//child`, left out: they go with their parent). */
export async function loadedProfiles(paths: AppArmorSystemPaths): Promise<{ result?: LoadedProfile[]; errors: PolicyError[] }> {
  if (!(await appArmorEnabled(paths.enabled))) {
    return { errors: [policyError('apparmor-not-enabled', '', `AppArmor is not enabled on this host (${paths.enabled} is not "Y")`)] };
  }
  try {
    const listed = await listLoadedProfiles(paths.loadedProfiles);
    return { errors: [], result: listed.filter(({ name }) => !name.includes('//')).map(({ name }) => ({ profileName: name })) };
  } catch (error) {
    return { errors: [policyError('apparmor-not-enabled', '', `${paths.loadedProfiles} cannot be read (is securityfs mounted?): ${error instanceof Error ? error.message : String(error)}`)] };
  }
}

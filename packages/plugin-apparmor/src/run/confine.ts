import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfinementStep, type Result, fail, formatPolicyError, ok } from '@armorkit/core';
import type { AppArmorArtifact } from '../compile/compile-profile.js';
import { appArmorErrors, parserMissing } from '../errors.js';
import { appArmorEnabled, listLoadedProfiles } from '../load/loaded-profiles.js';
import { loadProfile, unloadProfile } from '../load/loader.js';
import type { AppArmorSystemPaths } from '../load/system-paths.js';

function hasAaExec(aaExec: string): boolean {
  try {
    execFileSync(aaExec, ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `armorkit run` for AppArmor: load the profile (into a scratch directory, so /etc/apparmor.d is left alone), then
 * start the command through `aa-exec -p <profile>`, which makes the kernel attach the profile at exec, and remove the
 * profile afterwards. A profile of that name already loaded belongs to a live policy (a node's containers run under
 * it): `run` refuses rather than replace it.
 */
export async function confineWithAppArmor(
  artifact: AppArmorArtifact,
  options: { parser: string | undefined; parserCandidates: readonly string[]; paths: AppArmorSystemPaths; aaExec?: string },
): Promise<Result<ConfinementStep>> {
  const aaExec = options.aaExec ?? 'aa-exec';
  if (!(await appArmorEnabled(options.paths.enabled))) {
    return fail([appArmorErrors.error('apparmor-not-enabled', '', 'AppArmor is not enabled in this kernel (try inside kernel-lab: armorkit lab run -- ...)')]);
  }
  const parser = options.parser;
  if (!parser) return fail([parserMissing(options.parserCandidates)]);
  if (!hasAaExec(aaExec)) return fail([appArmorErrors.error('apparmor-aa-exec-missing', '', `${aaExec} is not installed (Debian: apt-get install apparmor)`)]);

  if ((await listLoadedProfiles(options.paths.loadedProfiles)).some((p) => p.name === artifact.profileName)) {
    const message = `a profile named ${artifact.profileName} is already loaded on this machine (a live policy); run will not replace it`;
    return fail([appArmorErrors.error('apparmor-profile-live', '', message)]);
  }
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-apparmor-'));
  const paths = { ...options.paths, profileDirectory: directory };
  const outcome = await loadProfile(artifact, { parser, paths });
  if (!outcome.result) {
    rmSync(directory, { recursive: true, force: true });
    return fail([appArmorErrors.error('apparmor-load-failed', '', `the profile did not load: ${outcome.errors.map(formatPolicyError).join('; ')}`)]);
  }
  return ok({
    enforcer: 'AppArmor',
    // Innermost: aa-exec starts the command itself, so the profile attaches at the command's exec, as runc does.
    stage: 20,
    summary: `profile ${artifact.profileName} loaded (${artifact.profileMode}) and attached by aa-exec`,
    prefix: () => [aaExec, '-p', artifact.profileName, '--'],
    cleanup: async () => {
      await unloadProfile(artifact.profileName, { parser, paths });
      rmSync(directory, { recursive: true, force: true });
    },
  });
}

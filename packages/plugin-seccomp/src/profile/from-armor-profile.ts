import { type Artifact, coreErrors, fail, ok, type Result } from '@armorkit/core';
import { linuxSeccompSchema, parseExactJson, type Profile } from '@armorkit/core/schema';
import { formatSeccompProfile } from './compile-plan.js';

const POINTER = '/spec/profile/seccomp';

/** An ArmorProfile's `spec.profile.seccomp` (OCI LinuxSeccomp JSON text) → the seccomp artifact compile would make. Pure. */
export function seccompArtifactFromProfile(profile: Profile): Result<Artifact<'Seccomp'>> {
  const invalid = (message: string) => fail([coreErrors.error('armor-profile-invalid', POINTER, `${profile.name}: ${message}`)]);
  if (profile.seccomp === undefined || profile.seccomp.trim() === '') return invalid('the ArmorProfile carries no seccomp profile');
  const json = parseExactJson(profile.seccomp);
  if ('error' in json) return invalid(`not JSON: ${json.error}`);
  const parsed = linuxSeccompSchema.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(`not an OCI seccomp profile: /${(issue?.path ?? []).map(String).join('/')}: ${issue?.message ?? 'invalid'}`);
  }
  return ok({
    enforcer: 'Seccomp',
    profileName: profile.name,
    profileMode: profile.mode,
    files: [{ suffix: 'seccomp.json', content: formatSeccompProfile(parsed.data) }],
    data: parsed.data,
  });
}

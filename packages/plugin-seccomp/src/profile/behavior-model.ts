import { type ArmorProfileModel, type LinuxSeccomp, linuxSeccompSchema, parseExactJson } from '@armorkit/core/schema';

const ALWAYS_ALLOWED = ['open', 'openat', 'openat2', 'close', 'read', 'write'];

/**
 * The seccomp profile of a behaviour model: the profile vArmor stored in the model (`data.profile.seccomp`), or one
 * built from the syscalls the modeller saw (reference §2.8: default ERRNO, the I/O basics plus every syscall seen).
 */
export function seccompProfileFromModel(model: ArmorProfileModel): { profile?: LinuxSeccomp; error?: string } {
  const stored = model.data?.profile?.seccomp;
  if (stored) {
    const json = parseExactJson(stored);
    if ('error' in json) return { error: `the model's data.profile.seccomp is not JSON: ${json.error}` };
    const parsed = linuxSeccompSchema.safeParse(json.value);
    return parsed.success ? { profile: parsed.data } : { error: `the model's data.profile.seccomp is not an OCI profile: ${parsed.error.issues[0]?.message}` };
  }
  const seen = model.data?.dynamicResult?.seccomp?.syscalls ?? [];
  if (seen.length === 0) return { error: `the behaviour model ${model.metadata.name} recorded no syscalls` };
  return {
    profile: {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ALWAYS_ALLOWED, action: 'SCMP_ACT_ALLOW' },
        { names: [...new Set(seen)].filter((name) => !ALWAYS_ALLOWED.includes(name)), action: 'SCMP_ACT_ALLOW' },
      ].filter((rule) => rule.names.length > 0) as LinuxSeccomp['syscalls'],
    },
  };
}

import { z } from 'zod';
import { issueProblems } from '../../parse/zod-issues.js';
import { parseExactJson } from '../exact-json.js';
import { linuxSeccompSchema, linuxSyscallSchema } from '../oci-seccomp.js';
import { appArmorRawRuleSchema } from './apparmor-raw-rule.js';
import { asString, withCheck, type Report } from './check.js';
import { networkProxyRulesSchema } from './network-proxy-egress.js';

export const PROFILE_TYPES = ['BehaviorModel', 'Custom'] as const;
export const profileTypeSchema = z.enum(PROFILE_TYPES);
export type ProfileType = z.infer<typeof profileTypeSchema>;

function requireCustomProfile(section: Readonly<Record<string, unknown>>, report: Report): void {
  const customProfile = asString(section.customProfile);
  if (section.profileType === 'Custom' && (customProfile === undefined || customProfile.trim() === '')) {
    report(['customProfile'], 'required', 'profileType Custom needs a non-empty customProfile');
  }
}

export const appArmorDefenseSchema = withCheck(
  z.strictObject({
    profileType: profileTypeSchema,
    /** A complete AppArmor profile. */
    customProfile: z.string().optional(),
    appArmorRawRules: z.array(appArmorRawRuleSchema).optional(),
  }),
  requireCustomProfile,
);
export type AppArmorDefense = z.infer<typeof appArmorDefenseSchema>;

export const seccompDefenseSchema = withCheck(
  z.strictObject({
    profileType: profileTypeSchema,
    /** An OCI LinuxSeccomp profile as JSON text. */
    customProfile: z.string().optional(),
    syscallRawRules: z.array(linuxSyscallSchema).optional(),
  }),
  (section, report) => {
    requireCustomProfile(section, report);
    const customProfile = asString(section.customProfile);
    if (customProfile !== undefined && customProfile.trim() !== '') checkSeccompProfile(customProfile, report);
  },
);
export type SeccompDefense = z.infer<typeof seccompDefenseSchema>;

function checkSeccompProfile(text: string, report: Report): void {
  const parsed = parseExactJson(text);
  if ('error' in parsed) {
    report(['customProfile'], 'invalid-value', `customProfile is not valid JSON: ${parsed.error}`);
    return;
  }
  const result = linuxSeccompSchema.safeParse(parsed.value, { reportInput: true });
  if (result.success) return;
  for (const problem of issueProblems(result.error.issues, linuxSeccompSchema)) {
    report(['customProfile'], 'invalid-value', `customProfile is not an OCI LinuxSeccomp profile: ${problem.pointer || '/'}: ${problem.message}`);
  }
}

/** The DefenseInDepth mode: a deny-by-default profile per enforcer (from a behaviour model or custom) plus raw rules. */
export const defenseInDepthSchema = z.strictObject({
  appArmor: appArmorDefenseSchema.optional(),
  seccomp: seccompDefenseSchema.optional(),
  networkProxy: networkProxyRulesSchema.optional(),
  allowViolations: z.boolean().optional(),
});
export type DefenseInDepth = z.infer<typeof defenseInDepthSchema>;
